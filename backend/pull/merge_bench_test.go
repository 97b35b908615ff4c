package pull

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	mtimap "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
	"github.com/mailtriage/mailtriage/internal/netproxy"
)

const (
	benchFolders   = 10
	benchPerFolder = 1000
	benchNewest    = 100
)

// acrossServer is a Dovecot with 10 folders of 1,000 messages each:
// "blocks" holds them in time order folder by folder (the newest 100 are
// all in the last folder), "mixed" deals them round-robin (the newest 100
// alternate between all ten, the worst case for runs).
func acrossServer(b *testing.B) (*netproxy.Proxy, map[string][]string) {
	b.Helper()
	srv := dovecottest.Start(b)
	if err := srv.AddUser("bench", "bench pass"); err != nil {
		b.Fatal(err)
	}
	msgs := dovecottest.GenerateMessages(benchFolders*benchPerFolder, 17, time.Now())
	folders := map[string][]string{}
	for i, m := range msgs {
		block := fmt.Sprintf("blocks%02d", i/benchPerFolder)
		mixed := fmt.Sprintf("mixed%02d", i%benchFolders)
		for _, f := range []string{block, mixed} {
			if err := srv.Deliver("bench", f, m); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := range benchFolders {
		folders["blocks"] = append(folders["blocks"], fmt.Sprintf("blocks%02d", i))
		folders["mixed"] = append(folders["mixed"], fmt.Sprintf("mixed%02d", i))
	}
	return netproxy.Start(b, srv.Addr), folders
}

// BenchmarkPullNewestAcross is `pull --all-folders --limit 100` over ten
// folders of 1,000 messages, on loopback and with 20 ms of round-trip
// time; each op connects and logs in.
func BenchmarkPullNewestAcross(b *testing.B) {
	proxy, folders := acrossServer(b)
	for _, link := range []struct {
		name   string
		oneWay time.Duration
	}{{"loopback", 0}, {"rtt20ms", 10 * time.Millisecond}} {
		for _, layout := range []string{"blocks", "mixed"} {
			b.Run(link.name+"/"+layout, func(b *testing.B) {
				proxy.SetLatency(link.oneWay)
				for b.Loop() {
					box := mtimap.New(mtimap.Config{Addr: proxy.Addr, TLS: mtimap.TLSNone, Username: "bench",
						Password: func(context.Context) (string, error) { return "bench pass", nil }})
					st, err := Pull(context.Background(), box, Options{Account: "bench", Folders: folders[layout], Limit: benchNewest, Format: "jsonl"}, io.Discard)
					box.Close()
					if err != nil || st.Messages != benchNewest {
						b.Fatalf("%d messages, %v", st.Messages, err)
					}
				}
			})
		}
	}
}
