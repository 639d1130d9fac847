// c-ares: asynchronous DNS (PTR lookups and their forward confirmation), pointed at any server and port.
#include <sys/select.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <ares.h>
