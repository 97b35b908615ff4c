package mimecast

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ErrNotFound matches (with errors.Is) an *APIError that says the object
// does not exist, so a screen can drop a stale row without parsing codes.
var ErrNotFound = errors.New("not found")

// ErrUncertain is wrapped by the error of a write whose outcome could not be
// established: the request may or may not have been applied. Re-check the
// state before trying again.
var ErrUncertain = errors.New("the server may have applied the change; check before retrying")

// Failure is one entry of a response's fail[] array.
type Failure struct {
	// Key echoes the request item that failed, as the server sent it.
	Key    json.RawMessage `json:"key,omitempty"`
	Errors []FailError     `json:"errors"`
}

// FailError is one reason inside a Failure.
type FailError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	Retryable bool   `json:"retryable"`
}

// APIError means the server ran the call (HTTP 200) but the function failed:
// fail[] was not empty, or meta.status was not 2xx.
type APIError struct {
	Path     string
	Status   int // meta.status when it was not 200, else 0
	Failures []Failure
}

func (e *APIError) Error() string {
	var parts []string
	for _, f := range e.Failures {
		for _, fe := range f.Errors {
			parts = append(parts, describeFail(fe))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("mimecast %s: failed with status %d", e.Path, e.Status)
	}
	return fmt.Sprintf("mimecast %s: %s", e.Path, strings.Join(parts, "; "))
}

func describeFail(fe FailError) string {
	s := fe.Code
	if fe.Message != "" && fe.Message != fe.Code {
		s += ": " + fe.Message
	}
	if fe.Field != "" {
		s += " (field " + fe.Field + ")"
	}
	return s
}

// Codes lists the error codes in order, without duplicates.
func (e *APIError) Codes() []string {
	var out []string
	for _, f := range e.Failures {
		for _, fe := range f.Errors {
			if !slices.Contains(out, fe.Code) {
				out = append(out, fe.Code)
			}
		}
	}
	return out
}

// Has reports whether any failure carries code.
func (e *APIError) Has(code string) bool { return slices.Contains(e.Codes(), code) }

// Is makes errors.Is(err, ErrNotFound) true for a 404 meta.status or a
// *_not_found code.
func (e *APIError) Is(target error) bool {
	if target != ErrNotFound {
		return false
	}
	if e.Status == 404 {
		return true
	}
	for _, c := range e.Codes() {
		if strings.HasSuffix(c, "_not_found") {
			return true
		}
	}
	return false
}

// AuthError means the server refused the credentials (401), the role or
// application lacks a permission (403), or API 1.0 keys expired (418). It
// is never retried: repeating would only lock the service account.
type AuthError struct {
	Path    string
	Status  int // 0 when a local secret could not be read
	Codes   []string
	Message string // the server's words, or why a secret was unavailable
}

func (e *AuthError) Error() string {
	s := fmt.Sprintf("mimecast %s: %s", e.Path, e.reason())
	if e.Message != "" {
		s += ": " + e.Message
	}
	if len(e.Codes) > 0 {
		s += " [" + strings.Join(e.Codes, ", ") + "]"
	}
	return s
}

func (e *AuthError) reason() string {
	switch e.Status {
	case 0:
		return "credentials unavailable"
	case 401:
		return "authentication refused (HTTP 401; check the keys, and the clock for API 1.0)"
	case 403:
		return "not permitted (HTTP 403; the role or application lacks this permission)"
	case 418:
		return "access key binding expired (HTTP 418; generate new API 1.0 keys)"
	}
	return fmt.Sprintf("authentication failed (HTTP %d)", e.Status)
}

// RateLimitError means the server kept answering 429, or asked for a wait
// longer than the client may take. The call was not executed.
type RateLimitError struct {
	Path  string
	Reset time.Duration // how long the server asked to wait
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("mimecast %s: rate limited (HTTP 429); try again in %s", e.Path, e.Reset.Round(time.Millisecond))
}

// StatusError is any other unexpected HTTP status or unreadable answer.
type StatusError struct {
	Path    string
	Status  int
	Message string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("mimecast %s: HTTP %d", e.Path, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// TransportError is a failure to exchange the request at all (connection,
// TLS, timeout, truncated answer).
type TransportError struct {
	Path    string
	Timeout bool
	Err     error
}

func (e *TransportError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("mimecast %s: no answer in time: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("mimecast %s: %v", e.Path, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// ValidationError is an input refused before anything was sent.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// stripURL drops the URL from a *url.Error: the operation's path is named by
// the caller already, and a token URL with a query must not be echoed.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// transient reports whether err may go away on its own: 5xx, 408, timeouts,
// broken connections. Such errors are retried on reads and make a write's
// outcome unknown.
func transient(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status >= 500 || se.Status == 408
	}
	var te *TransportError
	return errors.As(err, &te)
}

// envelopeMessage extracts "code: message" from an error envelope body.
func envelopeMessage(body []byte) string {
	var env struct {
		Fail []Failure `json:"fail"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	var parts []string
	for _, f := range env.Fail {
		for _, fe := range f.Errors {
			parts = append(parts, describeFail(fe))
		}
	}
	return strings.Join(parts, "; ")
}

func errorsIsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
