package fortimailtest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// cookieName carries a suffix, as newer builds do: clients must match the
// APSCOOKIE prefix, not the exact name.
const cookieName = "APSCOOKIE_3816"

// apiSession is one AdminLogin.
type apiSession struct {
	lastUsed time.Time
	// pending sessions wait for the post-login banner confirmation.
	pending bool
}

// ExpireSessions ends every session, as an appliance restart or an admin
// idle timeout would: the next call of any client meets a 403.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sessions)
}

// Sessions counts the live sessions (a client that logs out leaves none).
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, sess := range s.sessions {
		if !sess.pending && !s.idle(sess) {
			n++
		}
	}
	return n
}

func (s *Server) idle(sess *apiSession) bool {
	return s.opts.IdleTimeout > 0 && s.opts.Now().Sub(sess.lastUsed) > s.opts.IdleTimeout
}

// sessionOf finds the request's session cookie (any APSCOOKIE* name).
func (s *Server) sessionOf(r *http.Request) (string, *apiSession) {
	for _, ck := range r.Cookies() {
		if !strings.HasPrefix(ck.Name, "APSCOOKIE") {
			continue
		}
		if sess, ok := s.sessions[ck.Value]; ok {
			return ck.Value, sess
		}
	}
	return "", nil
}

// authenticated reports whether the request has a live, confirmed session,
// and marks it used.
func (s *Server) authenticated(r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, sess := s.sessionOf(r)
	if sess == nil || sess.pending {
		return false
	}
	if s.idle(sess) {
		delete(s.sessions, id)
		return false
	}
	sess.lastUsed = s.opts.Now()
	return true
}

func (s *Server) expireSessionOf(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, _ := s.sessionOf(r); id != "" {
		delete(s.sessions, id)
	}
}

func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request, body []byte) {
	switch r.Method {
	case http.MethodPost:
		s.login(w, r, body)
	case http.MethodDelete:
		s.logout(w, r)
	default:
		writeError(w, http.StatusMethodNotAllowed, errInvalid, "Failed: Method not allowed (AdminLogin) ")
	}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, body []byte) {
	in, ok := decodeBody(body)
	if !ok || in["name"] != s.opts.Username || in["password"] != s.opts.Password {
		s.mu.Lock()
		s.refused++
		s.mu.Unlock()
		writeJSON(w, http.StatusForbidden, Object{
			"errorType": errAccessDenied, "errorMsg": "Failed: Access denied:Add object (AdminLogin) ",
			"reqAction": 2, "totalRemoteCount": 0, "collection": "[]",
		})
		return
	}
	confirming := reqAction(in, 2) == 7
	s.mu.Lock()
	defer s.mu.Unlock()
	if confirming {
		id, sess := s.sessionOf(r)
		if sess == nil || !sess.pending {
			writeError(w, http.StatusForbidden, errAccessDenied, "Failed: Access denied:Add object (AdminLogin) ")
			return
		}
		delete(s.sessions, id)
	}
	pending := s.opts.PostLoginBanner && !confirming
	id := newSessionID()
	s.sessions[id] = &apiSession{lastUsed: s.opts.Now(), pending: pending}
	if !pending {
		s.logins++
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true, Secure: s.opts.TLS})
	writeJSON(w, http.StatusOK, s.loginBody(pending))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	id, sess := s.sessionOf(r)
	if sess != nil {
		delete(s.sessions, id)
	}
	s.mu.Unlock()
	if sess == nil {
		writeError(w, http.StatusForbidden, errAccessDenied, "Failed: Access denied: no valid session ")
		return
	}
	writeJSON(w, http.StatusOK, Object{"errorType": 0, "errorMsg": "Successful: logout ", "reqAction": 3})
}

// loginBody is AdminLogin's reply as a 7.x appliance sends it.
func (s *Server) loginBody(banner bool) Object {
	return Object{
		"objectID": "AdminLogin:", "reqAction": 2, "nodePermission": 0,
		"name": s.opts.Username, "password": "******", "new_password": "******", "token": "******",
		"domain": "system", "webmode": 1, "locale": "en_US", "loginstatus": 1,
		"model": "FE-VM", "serial": "FEVM000000000001", "hostname": "fortimail-emulator",
		"product_name": "FortiMail", "product_version": s.opts.Version,
		"post_login_banner": banner, "is_superadmin": true, "operation_mode": 2,
		"csrf_token": strings.Repeat("0", 40),
	}
}

func newSessionID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
