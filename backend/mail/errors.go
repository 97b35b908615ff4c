package mail

import (
	"errors"
	"fmt"
)

// ErrUIDValidityChanged means the folder was recreated since it was listed:
// the UIDs the caller holds no longer name the same messages.
var ErrUIDValidityChanged = errors.New("folder was recreated on the server (UIDVALIDITY changed); reload it")

// ErrNotFound means the message is no longer in the folder.
var ErrNotFound = errors.New("message no longer exists")

// ConnError is a failure to reach or log in to a server. Its message is one
// line meant for the analyst: the stage that failed, the server, and the
// server's own words or the system's reason.
type ConnError struct {
	Stage  string // "connect", "tls", "starttls", "login", "greeting"
	Server string // host:port
	Hint   string // what to check, when we can tell
	Err    error
}

func (e *ConnError) Error() string {
	msg := fmt.Sprintf("%s %s: %v", e.Stage, e.Server, e.Err)
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

func (e *ConnError) Unwrap() error { return e.Err }

// IsAuth reports whether the server refused the credentials, in which case
// retrying on our own would only lock the account.
func (e *ConnError) IsAuth() bool { return e.Stage == "login" }
