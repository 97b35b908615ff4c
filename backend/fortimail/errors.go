package fortimail

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors, matched with errors.Is against an *APIError.
var (
	// ErrNotFound means the object does not exist (HTTP 404, or errorType 3
	// in a successful reply).
	ErrNotFound = errors.New("not found")
	// ErrLoginRefused means AdminLogin refused the credentials (or the
	// account is locked out). The client does not retry it on its own:
	// repeating a wrong password only locks the account.
	ErrLoginRefused = errors.New("login refused")
	// ErrAccessDenied means the call was refused even with a fresh session:
	// the admin's access profile does not allow it.
	ErrAccessDenied = errors.New("access denied")
)

// errorTypeNotFound is FortiMail's errorType for "Failed to retrieve object".
const errorTypeNotFound = 3

// APIError is a reply that says the call failed. Msg is FortiMail's own
// errorMsg, verbatim, because it names the field or object at fault better
// than we could guess. It never holds the password or the session cookie.
type APIError struct {
	Op     string // what we were doing: `update session profile "x"`
	Method string
	Path   string // under /api/v1/
	Status int    // HTTP status
	Type   int    // errorType; 0 when the reply had none
	Msg    string // errorMsg, or the start of a non-JSON reply
	login  bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fortimail: %s: HTTP %d", e.Op, e.Status)
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	if msg := strings.TrimSpace(e.Msg); msg != "" {
		b.WriteString(": " + msg)
	}
	if e.Type != 0 {
		fmt.Fprintf(&b, " (errorType %d)", e.Type)
	}
	return b.String()
}

// Is matches the sentinel errors of this package.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.NotFound()
	case ErrLoginRefused:
		return e.login && (e.Status == http.StatusForbidden || e.Status == http.StatusUnauthorized)
	case ErrAccessDenied:
		return !e.login && (e.Status == http.StatusForbidden || e.Status == http.StatusUnauthorized)
	}
	return false
}

// NotFound reports whether the object was missing.
func (e *APIError) NotFound() bool {
	return e.Status == http.StatusNotFound || (e.Status < 300 && e.Type == errorTypeNotFound)
}
