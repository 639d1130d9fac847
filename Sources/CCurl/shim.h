#include <curl/curl.h>

/// curl_easy_setopt and curl_easy_getinfo take variable arguments, which Swift cannot pass: one typed
/// wrapper per kind of value.
static inline CURLcode rua_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode rua_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode rua_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode rua_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
typedef size_t (*rua_curl_transfer)(char *buffer, size_t size, size_t count, void *context);
static inline CURLcode rua_curl_set_function(CURL *handle, CURLoption option, rua_curl_transfer function) {
    return curl_easy_setopt(handle, option, function);
}
static inline CURLcode rua_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode rua_curl_get_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
