package mimecasttest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// authFail is why a request was refused.
type authFail struct {
	status        int
	code, message string
}

func refuse(code, message string) *authFail {
	return &authFail{status: http.StatusUnauthorized, code: code, message: message}
}

// authenticate checks the request's credentials and returns the identity
// the rate limit is counted against.
func (s *Server) authenticate(r *http.Request) (string, *authFail) {
	authz := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(authz, "Bearer "); ok {
		return s.checkBearer(tok)
	}
	if rest, ok := strings.CutPrefix(authz, "MC "); ok {
		return s.checkHMAC(r, rest)
	}
	return "", refuse("err_xdk_authorization_missing", "Authorization header missing or not MC/Bearer")
}

func (s *Server) checkBearer(tok string) (string, *authFail) {
	s.mu.Lock()
	exp, ok := s.tokens[tok]
	now := s.opts.Now()
	s.mu.Unlock()
	switch {
	case !ok:
		return "", refuse("err_oauth_token_invalid", "unknown bearer token")
	case !now.Before(exp):
		return "", refuse("err_oauth_token_expired", "bearer token expired")
	}
	return "client:" + s.creds.ClientID, nil
}

// checkHMAC verifies an API 1.0 request exactly: the app id, a fresh
// x-mc-date in the documented "UTC" form, a request id, a known access key,
// and the signature over date:req-id:path:app-key.
func (s *Server) checkHMAC(r *http.Request, rest string) (string, *authFail) {
	access, sig, ok := strings.Cut(rest, ":")
	if !ok || access == "" || sig == "" {
		return "", refuse("err_xdk_authorization_malformed", "Authorization is not MC accessKey:signature")
	}
	if r.Header.Get("x-mc-app-id") != s.creds.AppID {
		return "", refuse("err_developer_key", "x-mc-app-id is missing or unknown")
	}
	date, reqID := r.Header.Get("x-mc-date"), r.Header.Get("x-mc-req-id")
	if f := s.checkDate(date); f != nil {
		return "", f
	}
	if reqID == "" {
		return "", refuse("err_xdk_request_id_missing", "x-mc-req-id is missing")
	}
	if access != s.creds.AccessKey {
		return "", refuse("err_xdk_access_key_unknown", "unknown access key")
	}
	want := sign(s.creds.SecretKey, s.creds.AppKey, date, reqID, r.URL.Path)
	if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
		return "", refuse("err_xdk_signature_mismatch", "signature does not match")
	}
	s.mu.Lock()
	expired := s.expired
	s.mu.Unlock()
	if expired {
		return "", &authFail{status: http.StatusTeapot, code: "err_xdk_binding_expired", message: "the access key binding has expired"}
	}
	return "key:" + access, nil
}

func (s *Server) checkDate(date string) *authFail {
	t, err := time.Parse(time.RFC1123, date)
	if err != nil || t.UTC().Format(time.RFC1123) != date {
		return refuse("err_xdk_date_invalid", "x-mc-date is not like \"Tue, 24 Nov 2015 12:50:11 UTC\"")
	}
	skew := s.opts.Now().Sub(t)
	if skew > s.opts.MaxSkew || -skew > s.opts.MaxSkew {
		return refuse("err_xdk_date_out_of_range", "x-mc-date is too far from the server's clock")
	}
	return nil
}

func sign(secretKey, appKey, date, reqID, path string) string {
	key, _ := base64.StdEncoding.DecodeString(secretKey)
	mac := hmac.New(sha1.New, key)
	mac.Write([]byte(date + ":" + reqID + ":" + path + ":" + appKey))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// serveToken is the API 2.0 client-credentials token endpoint.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	if s.tokenFault(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "body is not a form")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if id != s.creds.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(s.creds.ClientSecret)) != 1 {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	tok := s.issue()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int(s.opts.TokenTTL / time.Second),
	})
}

// tokenFault applies a status or slow fault aimed at the token endpoint.
func (s *Server) tokenFault(w http.ResponseWriter, r *http.Request) bool {
	f := s.takeFault("/oauth/token")
	if f == nil {
		return false
	}
	switch f.Kind {
	case FaultSlow:
		return !s.wait(r.Context(), f.Delay)
	case FaultStatus, FaultApplyThenFail:
		writeOAuthError(w, f.status(), "server_error", "injected fault")
		return true
	}
	return false
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// issue makes a bearer token valid for TokenTTL.
func (s *Server) issue() string {
	tok := randomHex(24)
	s.mu.Lock()
	s.tokens[tok] = s.opts.Now().Add(s.opts.TokenTTL)
	s.mu.Unlock()
	return tok
}
