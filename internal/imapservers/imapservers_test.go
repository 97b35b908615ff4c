package imapservers

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func msg(i int) Message {
	raw := fmt.Sprintf("From: s%d@example.com\r\nSubject: Setup %d\r\nMessage-Id: <setup%d@example.com>\r\n\r\nbody %d\r\n", i, i, i, i)
	return Message{Raw: []byte(raw), InternalDate: time.Date(2026, 11, 1, 9, i%60, i/60, 0, time.UTC), Flags: []string{`\Flagged`}}
}

// Each server starts, takes users, folders and mail, lists them in the
// namespace it announces, refuses a wrong password, and stops.
func TestEveryServerStartsServesAndStops(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			srv := Start(t, kind)
			if err := srv.AddUser("analyst", "pass word"); err != nil {
				t.Fatal(err)
			}
			if err := srv.CreateFolder("analyst", "Archive/2026"); err != nil {
				t.Fatal(err)
			}
			if err := srv.Deliver("analyst", "Archive/2026", msg(1), msg(2)); err != nil {
				t.Fatal(err)
			}
			if err := srv.Deliver("analyst", "INBOX", msg(3)); err != nil {
				t.Fatal(err)
			}
			c, err := login(srv.Addr(), "analyst", "pass word")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ns, err := c.Namespace().Wait()
			if err != nil || len(ns.Personal) != 1 || ns.Personal[0].Prefix != srv.Prefix() || ns.Personal[0].Delim != srv.Delim() {
				t.Fatalf("NAMESPACE %+v %v, want prefix %q delim %q", ns, err, srv.Prefix(), srv.Delim())
			}
			full := FullName(srv, "Archive/2026")
			st, err := c.Status(full, &imap.StatusOptions{NumMessages: true}).Wait()
			if err != nil || *st.NumMessages != 2 {
				t.Fatalf("STATUS %s: %+v %v", full, st, err)
			}
			sel, err := c.Select("INBOX", nil).Wait()
			if err != nil || sel.NumMessages != 1 {
				t.Fatalf("SELECT INBOX: %+v %v", sel, err)
			}
			bufs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true, InternalDate: true}).Collect()
			if err != nil || len(bufs) != 1 || !slices.Contains(bufs[0].Flags, imap.FlagFlagged) || !bufs[0].InternalDate.Equal(msg(3).InternalDate) {
				t.Fatalf("FETCH: %+v %v", bufs, err)
			}
			if _, err := login(srv.Addr(), "analyst", "wrong"); err == nil {
				t.Fatal("a wrong password was accepted")
			}
			if err := srv.Stop(); err != nil {
				t.Fatal(err)
			}
			if greets(srv.Addr()) == nil {
				t.Fatal("the server still answers after Stop")
			}
		})
	}
}

func TestGreetingWaitsForTheServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Close() // the first one hangs up, as a server still starting does
		c, err = ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		w := bufio.NewWriter(c)
		w.WriteString("* OK ready\r\n")
		w.Flush()
	}()
	if err := waitGreeting(ln.Addr().String(), make(chan struct{}), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	close(exited)
	if err := waitGreeting("127.0.0.1:1", exited, 5*time.Second); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("a server that exited: %v", err)
	}
}

// Delivery keeps the order given (UIDs follow it), flags and dates, on
// every server; Courier's is written straight into the Maildir.
func TestDeliveryKeepsOrderFlagsAndDates(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			srv := Start(t, kind)
			if err := srv.AddUser("analyst", "pw"); err != nil {
				t.Fatal(err)
			}
			var msgs []Message
			for i := range 150 {
				m := msg(i)
				m.Flags = nil
				if i%3 == 0 {
					m.Flags = []string{`\Seen`}
				}
				msgs = append(msgs, m)
			}
			if err := srv.Deliver("analyst", "INBOX", msgs...); err != nil {
				t.Fatal(err)
			}
			c, err := login(srv.Addr(), "analyst", "pw")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			var all imap.SeqSet
			all.AddRange(1, 150)
			bufs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Envelope: true, Flags: true, InternalDate: true}).Collect()
			if err != nil || len(bufs) != 150 {
				t.Fatalf("fetch: %d %v", len(bufs), err)
			}
			// The bytes come back as delivered (CRLF line ends).
			body := &imap.FetchItemBodySection{Peek: true}
			raw, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{body}}).Collect()
			if err != nil || len(raw) != 1 || !bytes.Equal(raw[0].FindBodySection(body), msgs[0].Raw) {
				t.Fatalf("BODY[] of the first message: %v, %q, want %q", err, raw[0].FindBodySection(body), msgs[0].Raw)
			}
			slices.SortFunc(bufs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
			for i, b := range bufs {
				seen := slices.Contains(b.Flags, imap.FlagSeen)
				if b.Envelope.Subject != fmt.Sprintf("Setup %d", i) || seen != (i%3 == 0) || !b.InternalDate.Equal(msgs[i].InternalDate) {
					t.Fatalf("UID %d: %q seen=%v date %v, want Setup %d seen=%v date %v", b.UID, b.Envelope.Subject, seen, b.InternalDate, i, i%3 == 0, msgs[i].InternalDate)
				}
			}
		})
	}
}
