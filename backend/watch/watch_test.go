package watch

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	mtimap "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/backend/pull"
	"github.com/mailtriage/mailtriage/backend/safejson"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// recorder is a sink that keeps each record and says when it has n.
type recorder struct {
	mu   sync.Mutex
	recs [][]byte
	more chan struct{}
}

func (r *recorder) Deliver(_ context.Context, rec []byte) error {
	r.mu.Lock()
	r.recs = append(r.recs, bytes.Clone(rec))
	r.mu.Unlock()
	select {
	case r.more <- struct{}{}:
	default:
	}
	return nil
}

func (r *recorder) waitFor(t *testing.T, n int, deadline time.Duration) [][]byte {
	t.Helper()
	timeout := time.After(deadline)
	for {
		r.mu.Lock()
		got := len(r.recs)
		r.mu.Unlock()
		if got >= n {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.recs
		}
		select {
		case <-r.more:
		case <-timeout:
			t.Fatalf("%d of %d records after %v", got, n, deadline)
		}
	}
}

func deepMessage(subject string, depth int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: a@evil.example\r\nSubject: %s\r\n", subject)
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary*0=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nbottom\r\n")
	return []byte(b.String())
}

// Watch moves past messages nested 40 and 10,000 levels deep (recording
// each, capped) to the message after them, and escapes hostile text.
func TestWatchMovesPastMessagesThatHitACap(t *testing.T) {
	srv := dovecottest.Start(t)
	if err := srv.AddUser("u", "pw"); err != nil {
		t.Fatal(err)
	}
	subject := "after \u202Eexe\u009b"
	raws := [][]byte{
		deepMessage("deep 40", 40),
		deepMessage("deep 10000", 10000),
		[]byte("From: c@example.com\r\nSubject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(subject)) + "?=\r\n\r\nfine\r\n"),
	}
	for _, raw := range raws {
		if err := srv.Deliver("u", "INBOX", dovecottest.Message{Raw: raw, InternalDate: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	box := mtimap.New(mtimap.Config{Addr: srv.Addr, TLS: mtimap.TLSNone, Username: "u", Password: func(context.Context) (string, error) { return "pw", nil }})
	defer box.Close()
	sink := &recorder{more: make(chan struct{}, 1)}
	state := t.TempDir() + "/state.json"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, box, Options{Account: "a", Folder: "INBOX", StatePath: state, Sink: sink, FromStart: true})
	}()
	recs := sink.waitFor(t, 3, 20*time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	for i, rec := range recs {
		if !safejson.Clean(rec) {
			t.Errorf("record %d holds raw hidden characters", i)
		}
		var r pull.Record
		if err := json.Unmarshal(rec, &r); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		switch {
		case i < 2 && (len(r.Capped) == 0 || r.Capped[0].What != "mime"):
			t.Errorf("record %d (%s): capped %+v, want the mime cap", i, r.Alert.Name, r.Capped)
		case i == 2 && r.Alert.Name != subject:
			t.Errorf("record 2: subject %q, want %q", r.Alert.Name, subject)
		}
	}
	st, err := LoadState(state)
	if err != nil || st.LastUID != 3 {
		t.Errorf("state %+v, %v: want last UID 3", st, err)
	}
}

// What watch logs quotes the server; it reaches stderr sanitized.
func TestLogLinesAreSanitized(t *testing.T) {
	var b bytes.Buffer
	logf(&b, "mailtriage watch: %v (will try again)\n", fmt.Errorf("NO [x] \x1b]8;;https://evil.example/\x07click\u202E\u009b2J"))
	got := b.String()
	if strings.ContainsAny(got, "\x1b\x07\u202E\u009b") || strings.Count(got, "\n") != 1 {
		t.Errorf("log line %q holds raw controls", got)
	}
	if !strings.Contains(got, "⟨OSC 8⟩click⟨RLO⟩⟨CSI 2J⟩") {
		t.Errorf("log line %q: markers missing", got)
	}
}
