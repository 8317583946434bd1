#ifndef BBS_COPENSSL_SHIM_H
#define BBS_COPENSSL_SHIM_H
// OpenSSL 3 declares many APIs as macros, which Swift cannot import. Each wrapper below is a
// one-line static inline function over the macro of the same name.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/bio.h>

static inline int shim_SSL_CTX_set_min_proto_version(SSL_CTX *c, int v) { return (int)SSL_CTX_set_min_proto_version(c, v); }
static inline int shim_SSL_CTX_set_max_proto_version(SSL_CTX *c, int v) { return (int)SSL_CTX_set_max_proto_version(c, v); }
static inline int shim_SSL_set_min_proto_version(SSL *s, int v) { return (int)SSL_set_min_proto_version(s, v); }
static inline int shim_SSL_set_max_proto_version(SSL *s, int v) { return (int)SSL_set_max_proto_version(s, v); }
static inline int shim_SSL_set_tlsext_host_name(SSL *s, const char *name) { return (int)SSL_set_tlsext_host_name(s, name); }
static inline long shim_SSL_CTX_set_mode(SSL_CTX *c, long mode) { return SSL_CTX_set_mode(c, mode); }
static inline long shim_SSL_set_mode(SSL *s, long mode) { return SSL_set_mode(s, mode); }
static inline int shim_SSL_CTX_set1_groups_list(SSL_CTX *c, const char *list) { return (int)SSL_CTX_set1_groups_list(c, list); }
static inline long shim_SSL_CTX_set_session_cache_mode(SSL_CTX *c, long mode) { return SSL_CTX_set_session_cache_mode(c, mode); }
static inline long shim_SSL_CTX_sess_set_cache_size(SSL_CTX *c, long size) { return SSL_CTX_sess_set_cache_size(c, size); }
static inline long shim_BIO_set_mem_eof_return(BIO *b, long v) { return BIO_set_mem_eof_return(b, v); }
static inline int shim_BIO_eof(BIO *b) { return (int)BIO_eof(b); }
static inline size_t shim_BIO_wpending(BIO *b) { return (size_t)BIO_wpending(b); }
static inline int shim_SSL_set_app_data(SSL *s, void *arg) { return SSL_set_app_data(s, arg); }
static inline void *shim_SSL_get_app_data(const SSL *s) { return SSL_get_app_data(s); }

static inline uint64_t shim_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t shim_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t shim_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline uint64_t shim_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
static inline uint64_t shim_SSL_OP_IGNORE_UNEXPECTED_EOF(void) { return SSL_OP_IGNORE_UNEXPECTED_EOF; }

static inline int shim_EVP_CTRL_GCM_SET_IVLEN(void) { return EVP_CTRL_GCM_SET_IVLEN; }
static inline int shim_EVP_CTRL_GCM_GET_TAG(void) { return EVP_CTRL_GCM_GET_TAG; }
static inline int shim_EVP_CTRL_GCM_SET_TAG(void) { return EVP_CTRL_GCM_SET_TAG; }

// MARK: - TLS module: peer identity (X509 names and subjectAltName entries)
static inline unsigned long shim_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }
static inline GENERAL_NAMES *shim_X509_subject_alt_names(X509 *x) { return (GENERAL_NAMES *)X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL); }
static inline int shim_sk_GENERAL_NAME_num(const GENERAL_NAMES *n) { return sk_GENERAL_NAME_num(n); }
static inline void shim_GENERAL_NAMES_free(GENERAL_NAMES *n) { GENERAL_NAMES_free(n); }
/// Type (GEN_DNS, GEN_IPADD, GEN_URI, ...) of entry i; for those three, its bytes (text, or 4/16 raw address bytes).
static inline int shim_GENERAL_NAMES_entry(const GENERAL_NAMES *n, int i, const unsigned char **data, int *length) {
    int type = -1;
    const ASN1_STRING *s = (const ASN1_STRING *)GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(n, i), &type);
    if (s != NULL && (type == GEN_DNS || type == GEN_URI || type == GEN_IPADD)) { *data = ASN1_STRING_get0_data(s); *length = ASN1_STRING_length(s); }
    else { *data = NULL; *length = 0; }
    return type;
}
static inline int shim_SSL_TLSEXT_ERR_OK(void) { return SSL_TLSEXT_ERR_OK; }
static inline int shim_SSL_TLSEXT_ERR_ALERT_FATAL(void) { return SSL_TLSEXT_ERR_ALERT_FATAL; }
#endif
