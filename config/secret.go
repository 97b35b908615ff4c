package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// secretCmdTimeout bounds a password command; pass or a keyring prompt
// that never returns must not hang the console.
const secretCmdTimeout = 60 * time.Second

// Secret resolves one secret from exactly one of: a plain value, a command
// whose first output line is the secret, or an environment variable. The
// secret itself never appears in an error.
type Secret struct {
	Field string // e.g. "password", for error messages
	Plain string
	Cmd   string
	Env   string
}

// Resolve returns the secret's value.
func (s Secret) Resolve(ctx context.Context) (string, error) {
	switch {
	case s.Cmd != "":
		return runSecretCmd(ctx, s.Field, s.Cmd)
	case s.Env != "":
		v, ok := os.LookupEnv(s.Env)
		if !ok || v == "" {
			return "", fmt.Errorf("%s_env: environment variable %s is not set", s.Field, s.Env)
		}
		return v, nil
	case s.Plain != "":
		return s.Plain, nil
	}
	return "", fmt.Errorf("%s: not configured", s.Field)
}

func runSecretCmd(ctx context.Context, field, command string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, secretCmdTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		// stderr is the command's own complaint ("gpg: decryption
		// failed"); stdout might hold the secret, so it is never shown.
		reason := strings.TrimSpace(firstLine(stderr.String()))
		if reason == "" {
			reason = err.Error()
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			reason = "timed out after " + secretCmdTimeout.String()
		}
		return "", fmt.Errorf("%s_cmd %q failed: %s", field, command, reason)
	}
	v := strings.TrimRight(firstLine(stdout.String()), "\r")
	if v == "" {
		return "", fmt.Errorf("%s_cmd %q printed nothing", field, command)
	}
	return v, nil
}

// PasswordSecret is the account's IMAP password source.
func (a *Account) PasswordSecret() Secret {
	return Secret{Field: "password", Plain: a.Password, Cmd: a.PasswordCmd, Env: a.PasswordEnv}
}

// ClientSecretSecret is the account's Entra ID client secret source.
func (a *Account) ClientSecretSecret() Secret {
	return Secret{Field: "client_secret", Plain: a.ClientSecret, Cmd: a.ClientSecretCmd, Env: a.ClientSecretEnv}
}

// SMTPPasswordSecret is the SMTP password source: its own when given,
// else the IMAP password.
func (a *Account) SMTPPasswordSecret() Secret {
	if a.SMTPPassword+a.SMTPPasswordCmd+a.SMTPPasswordEnv == "" {
		return a.PasswordSecret()
	}
	return Secret{Field: "smtp_password", Plain: a.SMTPPassword, Cmd: a.SMTPPasswordCmd, Env: a.SMTPPasswordEnv}
}

// Cached returns a resolver that asks once and remembers the answer, so a
// reconnect does not run the password command (and its prompt) again.
func (s Secret) Cached() func(ctx context.Context) (string, error) {
	var mu sync.Mutex
	var value string
	return func(ctx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if value != "" {
			return value, nil
		}
		v, err := s.Resolve(ctx)
		if err != nil {
			return "", err
		}
		value = v
		return v, nil
	}
}
