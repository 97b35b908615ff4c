package pull

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/jhillyerd/enmime/v2"

	mtimap "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
	"github.com/mailtriage/mailtriage/internal/netproxy"
)

const benchUnread = 5000

// unreadServer is a Dovecot with 5,000 unread messages in INBOX, behind a
// proxy that can add latency.
func unreadServer(b *testing.B) *netproxy.Proxy {
	b.Helper()
	srv := dovecottest.Start(b)
	if err := srv.AddUser("bench", "bench pass"); err != nil {
		b.Fatal(err)
	}
	msgs := dovecottest.GenerateMessages(benchUnread, 11, time.Now())
	for i := range msgs {
		msgs[i].Flags = nil
	}
	if err := srv.Deliver("bench", "INBOX", msgs...); err != nil {
		b.Fatal(err)
	}
	return netproxy.Start(b, srv.Addr)
}

// seedURLs is the IMAP connector's URL pattern.
var seedURLs = regexp.MustCompile(`(?i)\b(?:http(?:s)?:\/\/)?(?:www\.)?[a-zA-Z0-9:%_\+~#=][a-zA-Z0-9:%\._\+~#=]{1,255}\.[a-z]{2,6}\b(?:[-a-zA-Z0-9@:%_\+.~#?&//=]*)`)

// seedMethod is the connector's own way, in Go: SEARCH UNSEEN, then one
// FETCH per message (BODY.PEEK[] rather than its RFC822, so runs do not
// mark mail read), parse, and regex the body for URLs.
func seedMethod(b *testing.B, addr string) int {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("bench", "bench pass").Wait(); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	data, err := c.Search(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, seq := range data.AllSeqNums() {
		section := &imap.FetchItemBodySection{Peek: true}
		bufs, err := c.Fetch(imap.SeqSetNum(seq), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil || len(bufs) != 1 {
			b.Fatal(err)
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(bufs[0].BodySection[0].Bytes))
		if err != nil {
			b.Fatal(err)
		}
		_ = seedURLs.FindAllString(env.Text, -1)
		n++
	}
	return n
}

func pullAll(b *testing.B, addr string) int {
	box := mtimap.New(mtimap.Config{Addr: addr, TLS: mtimap.TLSNone, Username: "bench",
		Password: func(context.Context) (string, error) { return "bench pass", nil }})
	defer box.Close()
	st, err := Pull(context.Background(), box, Options{Account: "bench", Folders: []string{"INBOX"}, Unread: true, Limit: benchUnread, Format: "jsonl"}, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	return st.Messages
}

// BenchmarkPullUnread5k compares the connector's method with `pull
// --unread --limit 5000 --format jsonl` (the same code), on loopback and
// with 20 ms of added round-trip time. Each op includes connecting and
// logging in, as each connector run does.
func BenchmarkPullUnread5k(b *testing.B) {
	proxy := unreadServer(b)
	for _, link := range []struct {
		name    string
		oneWay  time.Duration
		methods []string
	}{{"loopback", 0, []string{"seed", "pull"}}, {"rtt20ms", 10 * time.Millisecond, []string{"seed", "pull"}}} {
		for _, method := range link.methods {
			b.Run(link.name+"/"+method, func(b *testing.B) {
				proxy.SetLatency(link.oneWay)
				for b.Loop() {
					var n int
					if method == "seed" {
						n = seedMethod(b, proxy.Addr)
					} else {
						n = pullAll(b, proxy.Addr)
					}
					if n != benchUnread {
						b.Fatalf("%d messages", n)
					}
				}
			})
		}
	}
}
