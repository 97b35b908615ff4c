package pull

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	mtimap "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/backend/safejson"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// deepMessage nests depth multiparts, none terminated: without a depth
// guard the MIME parser's cost doubles with each level.
func deepMessage(subject string, depth int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: a@evil.example\r\nSubject: %s\r\nMessage-ID: <%s@evil.example>\r\n", subject, strings.ReplaceAll(subject, " ", "-"))
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nbottom\r\n")
	return []byte(b.String())
}

// hostileSubject holds a C1 CSI, DEL, an RLO and a zero-width joiner: Go's
// JSON encoder leaves all of them raw.
const hostileSubject = "Invoice \u009b31m\x7f \u202Efdp.exe\u200D\U000E0041"

func hostileMessages() [][]byte {
	return [][]byte{
		deepMessage("deep 40", 40),       // about 2.4 KB
		deepMessage("deep 10000", 10000), // about 600 KB
		[]byte("From: b@evil.example\r\nSubject: =?UTF-8?B?" + b64(hostileSubject) + "?=\r\nMessage-ID: <h@evil.example>\r\n\r\nhi\r\n"),
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func startHostileBox(t *testing.T) *mtimap.Mailbox {
	t.Helper()
	srv := dovecottest.Start(t)
	if err := srv.AddUser("u", "pw"); err != nil {
		t.Fatal(err)
	}
	var msgs []dovecottest.Message
	for _, raw := range hostileMessages() {
		msgs = append(msgs, dovecottest.Message{Raw: raw, InternalDate: time.Now()})
	}
	if err := srv.Deliver("u", "INBOX", msgs...); err != nil {
		t.Fatal(err)
	}
	box := mtimap.New(mtimap.Config{Addr: srv.Addr, TLS: mtimap.TLSNone, Username: "u", Password: func(context.Context) (string, error) { return "pw", nil }})
	t.Cleanup(func() { box.Close() })
	return box
}

// A message nested 40 or 10,000 levels deep becomes a record that says it
// was capped, quickly, and the pull goes on; hostile characters leave as
// \u escapes and decode to the original value.
func TestPullCapsDeepMessagesAndEscapesHostileText(t *testing.T) {
	box := startHostileBox(t)
	for _, analyse := range []bool{false, true} {
		var out bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		start := time.Now()
		st, err := Pull(ctx, box, Options{Account: "a", Folders: []string{"INBOX"}, Format: "jsonl", WithAnalysis: analyse}, &out)
		cancel()
		if err != nil || st.Messages != 3 {
			t.Fatalf("analyse=%v: pull %d messages, %v", analyse, st.Messages, err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("analyse=%v: pull took %v", analyse, d)
		}
		if !safejson.Clean(out.Bytes()) {
			t.Errorf("analyse=%v: raw hidden characters in the output", analyse)
		}
		capped, names := 0, map[string]bool{}
		sc := bufio.NewScanner(&out)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var r Record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("line does not decode: %v", err)
			}
			names[r.Alert.Name] = true
			if strings.HasPrefix(r.Alert.Name, "deep") {
				if len(r.Capped) == 0 || r.Capped[0].What != "mime" {
					t.Errorf("%s: capped %+v, want the mime cap", r.Alert.Name, r.Capped)
				}
				capped++
			}
		}
		if capped != 2 || !names[hostileSubject] {
			t.Errorf("analyse=%v: %d capped records, subjects %v", analyse, capped, names)
		}
	}
}
