package pull

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	mtimap "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// Pull streams every selected message once, in order, newest first, as
// valid JSON lines, across several pipelined batches.
func TestPullStreamsInOrderAcrossBatches(t *testing.T) {
	const n = 450
	srv := dovecottest.Start(t)
	if err := srv.AddUser("u", "pw"); err != nil {
		t.Fatal(err)
	}
	msgs := dovecottest.GenerateMessages(n, 3, time.Now())
	for i := range msgs {
		msgs[i].Flags = nil
	}
	if err := srv.Deliver("u", "INBOX", msgs...); err != nil {
		t.Fatal(err)
	}
	box := mtimap.New(mtimap.Config{Addr: srv.Addr, TLS: mtimap.TLSNone, Username: "u", Password: func(context.Context) (string, error) { return "pw", nil }})
	defer box.Close()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := Pull(ctx, box, Options{Account: "a", Folders: []string{"INBOX"}, Unread: true, Format: "jsonl", Workers: 3}, &out)
	if err != nil || st.Messages != n {
		t.Fatalf("pull: %d, %v", st.Messages, err)
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	last := uint32(1 << 31)
	count := 0
	for sc.Scan() {
		var r struct{ UID uint32 }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d: %v", count, err)
		}
		if r.UID >= last {
			t.Fatalf("out of order: %d after %d", r.UID, last)
		}
		last = r.UID
		count++
	}
	if count != n {
		t.Fatalf("%d lines", count)
	}
}
