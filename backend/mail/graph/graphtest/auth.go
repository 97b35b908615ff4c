package graphtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Grant types the token endpoint knows.
const (
	GrantClientCredentials = "client_credentials"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantRefreshToken      = "refresh_token"
)

// MintToken returns a valid access token, for tests that do not exercise
// the token endpoint.
func (s *Server) MintToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mint()
}

func (s *Server) mint() string {
	t := random("at")
	s.tokens[t] = time.Now().Add(s.tokenLifetime)
	return t
}

func random(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// RevokeTokens makes every access token issued so far invalid before its
// stated expiry, as an admin's revocation or a password reset does; the
// next request with one is answered 401.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		delete(s.tokens, t)
	}
}

// SetTokenLifetime sets expires_in of tokens issued from now on.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenLifetime = d
}

// SetDeviceFlow sets how many polls of a device code answer
// authorization_pending before the user "signs in", and the interval the
// devicecode answer asks for (seconds).
func (s *Server) SetDeviceFlow(pendingPolls, interval int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.devicePolls, s.deviceInt = pendingPolls, interval
}

// Grants returns how many token requests of a grant type succeeded.
func (s *Server) Grants(grant string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants[grant]
}

func (s *Server) validToken(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[tok]
	return ok && time.Now().Before(exp)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": desc})
}

// serveAuth answers /{tenant}/oauth2/v2.0/{token,devicecode}.
func (s *Server) serveAuth(w http.ResponseWriter, r *http.Request, endpoint string) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.PostForm.Get("client_id") != s.ClientID {
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "AADSTS700016: Application with identifier '"+r.PostForm.Get("client_id")+"' was not found in the directory.")
		return
	}
	if endpoint == "devicecode" {
		code := random("dc")
		s.devices[code] = &deviceGrant{scope: r.PostForm.Get("scope"), expires: time.Now().Add(15 * time.Minute)}
		writeJSON(w, http.StatusOK, map[string]any{
			"device_code":      code,
			"user_code":        "GT-" + strings.ToUpper(code[3:9]),
			"verification_uri": "https://microsoft.com/devicelogin",
			"expires_in":       900,
			"interval":         s.deviceInt,
			"message":          "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code GT-" + strings.ToUpper(code[3:9]) + " to authenticate.",
		})
		return
	}
	grant := r.PostForm.Get("grant_type")
	issue := func(withRefresh bool) {
		s.grants[grant]++
		out := map[string]any{"token_type": "Bearer", "expires_in": int(s.tokenLifetime / time.Second), "access_token": s.mint()}
		if withRefresh {
			rt := random("rt")
			s.refresh[rt] = true
			out["refresh_token"] = rt
		}
		writeJSON(w, http.StatusOK, out)
	}
	switch grant {
	case GrantClientCredentials:
		if r.PostForm.Get("client_secret") != s.ClientSecret {
			oauthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
			return
		}
		if !strings.HasSuffix(r.PostForm.Get("scope"), "/.default") {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.")
			return
		}
		issue(false)
	case GrantDeviceCode:
		d := s.devices[r.PostForm.Get("device_code")]
		switch {
		case d == nil:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "AADSTS70000: The provided value for the device code is not valid.")
		case time.Now().After(d.expires):
			oauthError(w, http.StatusBadRequest, "expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.")
		case d.polls < s.devicePolls:
			d.polls++
			oauthError(w, http.StatusBadRequest, "authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
		default:
			delete(s.devices, r.PostForm.Get("device_code"))
			issue(strings.Contains(d.scope, "offline_access"))
		}
	case GrantRefreshToken:
		rt := r.PostForm.Get("refresh_token")
		if !s.refresh[rt] {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "AADSTS70008: The refresh token has expired or is invalid.")
			return
		}
		delete(s.refresh, rt) // rotated
		issue(true)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type '"+grant+"'.")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// graphError writes Graph's error envelope.
func graphError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message}})
}
