package graph_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/backend/pull"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
	"github.com/mailtriage/mailtriage/internal/netproxy"
)

const benchMessages = 1000

// wanServer is an emulator with 1,000 generated messages (1–4 KB) in
// Inbox, behind a proxy adding 50 ms of round-trip time, and a token that
// is already valid (a warm cache).
func wanServer(b *testing.B) (*graphtest.Server, *netproxy.Proxy, string) {
	b.Helper()
	srv := graphtest.New()
	b.Cleanup(srv.Close)
	for i, m := range dovecottest.GenerateMessages(benchMessages, 7, time.Now()) {
		srv.Deliver("Inbox", m.Raw, time.Now().Add(time.Duration(i-benchMessages)*time.Minute))
	}
	proxy := netproxy.Start(b, strings.TrimPrefix(srv.URL(), "http://"))
	proxy.SetLatency(25 * time.Millisecond)
	return srv, proxy, srv.MintToken()
}

// wanBox is a Mailbox as a fresh process has it: nothing known but the
// token, talking through the proxy with the default HTTP client.
func wanBox(b *testing.B, proxy *netproxy.Proxy, token string) *graph.Mailbox {
	return graph.New(graph.Config{
		BaseURL: "http://" + proxy.Addr + "/v1.0",
		Mailbox: "analyst@example.com",
		Token:   func(context.Context) (string, error) { return token, nil },
	})
}

// BenchmarkPull1kRTT50ms is `mailtriage pull --limit 1000 --format jsonl`
// against the emulator at 50 ms round-trip time: a fresh process with a
// warm token. It reports the HTTP requests the emulator received.
func BenchmarkPull1kRTT50ms(b *testing.B) {
	srv, proxy, token := wanServer(b)
	var requests int
	for b.Loop() {
		box := wanBox(b, proxy, token)
		srv.ResetCounts()
		st, err := pull.Pull(context.Background(), box, pull.Options{Account: "bench", Folders: []string{"Inbox"}, Limit: benchMessages, Format: "jsonl"}, io.Discard)
		requests = srv.HTTPRequests()
		box.Close()
		if err != nil || st.Messages != benchMessages {
			b.Fatalf("pulled %d: %v", st.Messages, err)
		}
	}
	b.ReportMetric(float64(requests), "requests/op")
}

// BenchmarkFirstPageRTT50ms is the console opening Inbox (1,000
// messages) in a fresh process with a warm token, until the envelopes of
// the newest 100 are in: List with prefetch, as the mailbox screen calls
// it.
func BenchmarkFirstPageRTT50ms(b *testing.B) {
	srv, proxy, token := wanServer(b)
	var requests int
	for b.Loop() {
		box := wanBox(b, proxy, token)
		srv.ResetCounts()
		l, err := box.List(context.Background(), "INBOX", 100)
		requests = srv.HTTPRequests()
		box.Close()
		if err != nil || len(l.Newest) != 100 {
			b.Fatalf("first page: %d envelopes: %v", len(l.Newest), err)
		}
	}
	b.ReportMetric(float64(requests), "requests/op")
}
