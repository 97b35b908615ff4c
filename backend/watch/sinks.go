package watch

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"sync"
	"time"
)

// Lines writes each record as one JSON line and flushes it.
type Lines struct {
	mu sync.Mutex
	w  *bufio.Writer
}

// NewLines writes to w.
func NewLines(w io.Writer) *Lines { return &Lines{w: bufio.NewWriter(w)} }

// Deliver implements Sink.
func (l *Lines) Deliver(_ context.Context, rec []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(append(rec, '\n')); err != nil {
		return err
	}
	return l.w.Flush()
}

// Exec runs a shell command per message with the record on its stdin; a
// non-zero exit is a failed delivery.
type Exec struct {
	Command string
	Timeout time.Duration // default 5 min
}

// Deliver implements Sink.
func (e Exec) Deliver(ctx context.Context, rec []byte) error {
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", e.Command)
	cmd.Stdin = bytes.NewReader(append(rec, '\n'))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := stderr.String()
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return fmt.Errorf("%s: %v %s", e.Command, err, bytes.TrimSpace([]byte(msg)))
	}
	return nil
}

// SignatureHeader carries "sha256=" + hex HMAC-SHA256 of the body.
const SignatureHeader = "X-Mailtriage-Signature"

// Webhook POSTs each record as JSON, signed with HMAC-SHA256 over the
// body when a secret is given; anything but 2xx is a failed delivery.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
}

// Sign returns the signature header value of body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Deliver implements Sink.
func (h Webhook) Deliver(ctx context.Context, rec []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(rec))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if len(h.Secret) > 0 {
		req.Header.Set(SignatureHeader, Sign(h.Secret, rec))
	}
	client := h.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
