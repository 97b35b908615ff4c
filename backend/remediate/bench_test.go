package remediate

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/corpustest"
	"github.com/mailtriage/mailtriage/internal/netproxy"
)

// BenchmarkServiceMove10k is the whole of what the analyst's `m` costs for
// 10,000 selected messages on loopback Dovecot: Message-IDs for the audit
// record, the intent record (fsync'd), the moves in batches with progress,
// and the result record. Round trips are counted by a proxy.
func BenchmarkServiceMove10k(b *testing.B) {
	const n = 10_000
	srv := corpustest.SelectionInbox(b, n)
	proxy := netproxy.Start(b, srv.Addr)
	box := imap.New(imap.Config{Addr: proxy.Addr, TLS: imap.TLSNone, Username: corpustest.BigUser,
		Password: func(context.Context) (string, error) { return corpustest.BigPassword, nil }})
	b.Cleanup(func() { box.Close() })
	log, err := audit.Open(filepath.Join(b.TempDir(), "audit.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	svc := &Service{Audit: log, Operator: "bench"}
	ctx := context.Background()
	src, dst := "INBOX", "Junk"
	for _, f := range []string{dst, src} {
		if _, err := box.List(ctx, f, 1); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		b.StopTimer()
		l, err := box.List(ctx, src, 0)
		if err != nil || len(l.UIDs) != n {
			b.Fatalf("list: %d %v", len(l.UIDs), err)
		}
		proxy.ResetRoundTrips()
		b.StartTimer()
		out, err := svc.Do(ctx, Request{Account: "bench", Box: box, Action: Move, Folder: l.Folder, UIDs: l.UIDs, Dest: dst}, func(int, int) {})
		b.StopTimer()
		if err != nil || len(out.Done) != n {
			b.Fatalf("move: %d %v", len(out.Done), err)
		}
		b.ReportMetric(float64(proxy.RoundTrips()), "roundtrips/op")
		src, dst = dst, src
		b.StartTimer()
	}
}
