#!/usr/bin/env python3
"""A stand-in for Microsoft's and Google's OAuth 2.0 token endpoints, which cannot be reached from the test
machines, speaking their protocol: Scripts/test-services runs it for the XOAUTH2 tests.

    oauth-standin.py CERT KEY HTTPS_PORT HTTP_PORT USERNAME APP_CERT

HTTPS (the certificate given):
  POST /{tenant}/oauth2/v2.0/token   client_credentials (Microsoft 365): client rua-test-client, secret
                                      rua-test-secret or a client assertion (an RS256 JWT signed with the
                                      key of APP_CERT, naming it by x5t, for this URL), scope
                                      https://outlook.office365.com/.default
  POST /token                        refresh_token (Google): the same client, refresh token rua-test-refresh
  POST /revoke                       revokes every token issued so far, and the refresh token
  POST /reset                        makes the refresh token good again
  GET  /stats                        {"issued": n}: how many tokens were issued (to see the cache work)
HTTP (loopback, for Dovecot's oauth2 passdb):
  POST /introspect                   token=… -> {"active": true, "username": USERNAME} while valid
Errors answer as the real endpoints do: 400/401 with {"error": "invalid_client" | "invalid_grant", …}.
"""
import base64, hashlib, http.server, json, secrets, ssl, sys, threading, time, urllib.parse
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

cert, key, https_port, http_port, username = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
app_certificate = x509.load_pem_x509_certificate(open(sys.argv[6], "rb").read())


def unpad(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def assertion_problem(jwt, audience):
    """Why a client assertion is not good, or None."""
    try:
        header_b64, claims_b64, signature_b64 = jwt.split(".")
        header, claims = json.loads(unpad(header_b64)), json.loads(unpad(claims_b64))
    except Exception:
        return "AADSTS50027: JWT token is invalid or malformed."
    thumbprint = base64.urlsafe_b64encode(
        hashlib.sha1(app_certificate.public_bytes(serialization.Encoding.DER)).digest()).decode().rstrip("=")
    if header.get("alg") != "RS256" or header.get("x5t") != thumbprint:
        return "AADSTS700027: the certificate with identifier used to sign the client assertion is not registered."
    try:
        app_certificate.public_key().verify(unpad(signature_b64), f"{header_b64}.{claims_b64}".encode(),
                                            padding.PKCS1v15(), hashes.SHA256())
    except Exception:
        return "AADSTS700027: client assertion contains an invalid signature."
    now = time.time()
    if claims.get("aud") != audience or claims.get("iss") != CLIENT or claims.get("sub") != CLIENT:
        return "AADSTS700016: audience, issuer or subject does not match."
    if not (claims.get("nbf", now) <= now + 60 and claims.get("exp", 0) > now):
        return "AADSTS700024: client assertion is not within its valid time range."
    return None
state = {"tokens": {}, "issued": 0, "refresh_revoked": False}
lock = threading.Lock()
CLIENT, SECRET, REFRESH = "rua-test-client", "rua-test-secret", "rua-test-refresh"


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/stats":
            with lock:
                return self.answer(200, {"issued": state["issued"]})
        self.answer(404, {"error": "not_found"})

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode())
        field = lambda name: (form.get(name) or [""])[0]
        if self.path == "/introspect":
            with lock:
                active = state["tokens"].get(field("token"), False)
            return self.answer(200, {"active": True, "username": username} if active else {"active": False})
        if self.path == "/reset":
            with lock:
                state["refresh_revoked"] = False
            return self.answer(200, {})
        if self.path == "/revoke":
            with lock:
                for token in state["tokens"]:
                    state["tokens"][token] = False
                state["refresh_revoked"] = True
            return self.answer(200, {})
        assertion = field("client_assertion")
        if assertion:
            problem = assertion_problem(assertion, f"https://127.0.0.1:{https_port}{self.path}")
            if field("client_id") != CLIENT or problem:
                return self.answer(401, {"error": "invalid_client", "error_description": problem or "unknown client"})
        elif field("client_id") != CLIENT or field("client_secret") != SECRET:
            return self.answer(401, {"error": "invalid_client",
                                     "error_description": "AADSTS7000215: Invalid client secret provided."})
        grant = field("grant_type")
        if self.path.endswith("/oauth2/v2.0/token") and grant == "client_credentials":
            if field("scope") != "https://outlook.office365.com/.default":
                return self.answer(400, {"error": "invalid_scope", "error_description": "AADSTS70011: invalid scope"})
        elif self.path == "/token" and grant == "refresh_token":
            with lock:
                revoked = state["refresh_revoked"]
            if field("refresh_token") != REFRESH or revoked:
                return self.answer(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        else:
            return self.answer(400, {"error": "unsupported_grant_type"})
        token = "standin-" + secrets.token_urlsafe(24)
        with lock:
            state["tokens"][token] = True
            state["issued"] += 1
        self.answer(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    def log_message(self, *args):
        pass


secure = http.server.ThreadingHTTPServer(("127.0.0.1", https_port), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
secure.socket = context.wrap_socket(secure.socket, server_side=True)
plain = http.server.ThreadingHTTPServer(("127.0.0.1", http_port), Handler)
threading.Thread(target=plain.serve_forever, daemon=True).start()
secure.serve_forever()
