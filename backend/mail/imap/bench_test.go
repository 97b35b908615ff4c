package imap_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
	. "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/corpustest"
	"github.com/mailtriage/mailtriage/internal/imapservers"
	"github.com/mailtriage/mailtriage/internal/netproxy"
)

const bigFolder = 50_000

// firstPage is what a 48-line terminal shows, plus the screen below it
// that the list prefetches.
const firstPage = 100

func bigMailbox(b *testing.B) *Mailbox {
	srv := corpustest.BigInbox(b, bigFolder)
	m := New(Config{
		Addr:     srv.Addr,
		TLS:      TLSNone,
		Username: corpustest.BigUser,
		Password: func(context.Context) (string, error) { return corpustest.BigPassword, nil },
	})
	b.Cleanup(func() { _ = m.Close() })
	// Warm up: log in, and let Dovecot build its index of the folder once
	// (a real server has it; aerc and neomutt were timed the same way).
	if _, err := m.List(context.Background(), "INBOX", 1); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkOpenFolder50k is the time from choosing the 50,000-message
// folder to having its first page of envelopes: SELECT, every UID, the
// unread count and the newest envelopes. Another folder is open before each
// iteration, so every SELECT is a real one.
func BenchmarkOpenFolder50k(b *testing.B) {
	m := bigMailbox(b)
	ctx := context.Background()
	b.ResetTimer()
	openInboxLoop(b, ctx, m, bigFolder)
}

// openInboxLoop is the benchmark loop of opening INBOX, which must hold n
// messages: each iteration lists Junk off the clock (so that the SELECT of
// INBOX is a real one), then times listing INBOX with its first page of
// envelopes.
func openInboxLoop(b *testing.B, ctx context.Context, m *Mailbox, n int) {
	b.Helper()
	for b.Loop() {
		b.StopTimer()
		if _, err := m.List(ctx, "Junk", 0); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		l, err := m.List(ctx, "INBOX", firstPage)
		if err != nil {
			b.Fatal(err)
		}
		if len(l.UIDs) != n || len(l.Newest) != firstPage {
			b.Fatalf("listing: %d UIDs, %d envelopes", len(l.UIDs), len(l.Newest))
		}
	}
}

// BenchmarkEnvelopesScreen50k is one background fetch while scrolling: the
// envelopes of 150 rows somewhere in the middle of the folder.
func BenchmarkEnvelopesScreen50k(b *testing.B) {
	m := bigMailbox(b)
	ctx := context.Background()
	l, err := m.List(ctx, "INBOX", 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		from := (i * 1500) % (bigFolder - 150)
		envs, err := m.Envelopes(ctx, l.Folder, l.UIDs[from:from+150])
		if err != nil || len(envs) != 150 {
			b.Fatalf("%d envelopes, %v", len(envs), err)
		}
	}
}

// BenchmarkConnectAndOpen50k includes connecting and logging in: the
// console's first screen after start.
func BenchmarkConnectAndOpen50k(b *testing.B) {
	srv := corpustest.BigInbox(b, bigFolder)
	ctx := context.Background()
	cfg := Config{
		Addr:     srv.Addr,
		TLS:      TLSNone,
		Username: corpustest.BigUser,
		Password: func(context.Context) (string, error) { return corpustest.BigPassword, nil },
	}
	warm := New(cfg)
	if _, err := warm.List(ctx, "INBOX", 1); err != nil {
		b.Fatal(err)
	}
	_ = warm.Close()
	b.ResetTimer()
	for b.Loop() {
		m := New(cfg)
		l, err := m.List(ctx, "INBOX", firstPage)
		if err != nil || len(l.Newest) != firstPage {
			b.Fatalf("%d envelopes, %v", len(l.Newest), err)
		}
		b.StopTimer()
		_ = m.Close()
		b.StartTimer()
	}
}

// BenchmarkMove10k moves 10,000 selected messages between two folders on
// loopback Dovecot (alternating direction), through a proxy that counts
// round trips.
func BenchmarkMove10k(b *testing.B) {
	m, proxy := selectionMailbox(b, 10_000)
	ctx := context.Background()
	src, dst := "INBOX", "Junk"
	for b.Loop() {
		b.StopTimer()
		l, err := m.List(ctx, src, 0)
		if err != nil || len(l.UIDs) != 10_000 {
			b.Fatalf("list %s: %d %v", src, len(l.UIDs), err)
		}
		proxy.ResetRoundTrips()
		b.StartTimer()
		tr, err := m.Move(ctx, l.Folder, l.UIDs, dst)
		b.StopTimer()
		if err != nil || len(tr.Done) != 10_000 {
			b.Fatalf("move: %d done, %v", len(tr.Done), err)
		}
		b.ReportMetric(float64(proxy.RoundTrips()), "roundtrips/op")
		src, dst = dst, src
		b.StartTimer()
	}
}

// BenchmarkTag10k adds a category to 10,000 selected messages and takes it
// off again (one op = one Store call).
func BenchmarkTag10k(b *testing.B) {
	m, proxy := selectionMailbox(b, 10_000)
	ctx := context.Background()
	l, err := m.List(ctx, "INBOX", 0)
	if err != nil {
		b.Fatal(err)
	}
	change := []mail.FlagChange{{Add: []string{"$mt_phish"}}, {Remove: []string{"$mt_phish"}}}
	i := 0
	for b.Loop() {
		proxy.ResetRoundTrips()
		res, err := m.Store(ctx, l.Folder, l.UIDs, change[i%2])
		if err != nil || res.Count() != 10_000 {
			b.Fatalf("store: %d changed, %v", res.Count(), err)
		}
		b.ReportMetric(float64(proxy.RoundTrips()), "roundtrips/op")
		i++
	}
}

// selectionMailbox is a Dovecot with n messages in INBOX and an empty
// Junk, reached through a round-trip-counting proxy, logged in and warmed
// up.
func selectionMailbox(b *testing.B, n int) (*Mailbox, *netproxy.Proxy) {
	srv := corpustest.SelectionInbox(b, n)
	proxy := netproxy.Start(b, srv.Addr)
	m := New(Config{
		Addr:     proxy.Addr,
		TLS:      TLSNone,
		Username: corpustest.BigUser,
		Password: func(context.Context) (string, error) { return corpustest.BigPassword, nil },
	})
	b.Cleanup(func() { _ = m.Close() })
	for _, f := range []string{"Junk", "INBOX"} {
		if _, err := m.List(context.Background(), f, 1); err != nil {
			b.Fatal(err)
		}
	}
	return m, proxy
}

// BenchmarkSearch50k is a search over the 50,000-message folder up to its
// first page on screen: UID SEARCH on the server, then the envelopes of the
// newest 100 matches.
func BenchmarkSearch50k(b *testing.B) {
	m := bigMailbox(b)
	ctx := context.Background()
	for _, query := range []string{"from:example.org", "subject:invoice", "is:unread subject:password", "text:mailbox"} {
		q, err := mail.ParseQuery(query)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.NewReplacer(":", "=", " ", "+").Replace(query), func(b *testing.B) {
			for b.Loop() {
				ref, uids, err := m.Search(ctx, "INBOX", q)
				if err != nil || len(uids) == 0 {
					b.Fatalf("search %s: %d hits, %v", query, len(uids), err)
				}
				page := uids[max(len(uids)-firstPage, 0):]
				if _, err := m.Envelopes(ctx, ref, page); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(uids)), "hits")
			}
		})
	}
}

// BenchmarkFirstPage20k is BenchmarkOpenFolder50k on a 20,000-message
// INBOX of each server (Dovecot, Cyrus, Courier; plain IMAP on loopback):
// from choosing the folder to its first page of envelopes, with another
// folder open before each iteration.
func BenchmarkFirstPage20k(b *testing.B) {
	const n = 20_000
	for _, kind := range imapservers.Kinds {
		b.Run(string(kind), func(b *testing.B) {
			srv := imapservers.Big(b, kind, n)
			m := New(Config{Addr: srv.Addr(), TLS: TLSNone, Username: imapservers.BigUser,
				Password: func(context.Context) (string, error) { return imapservers.BigPassword, nil }})
			b.Cleanup(func() { _ = m.Close() })
			ctx := context.Background()
			// Warm up as BenchmarkOpenFolder50k does: log in, let the
			// server build what it caches about the folder once.
			if _, err := m.List(ctx, "INBOX", 1); err != nil {
				b.Fatal(err)
			}
			openInboxLoop(b, ctx, m, n)
		})
	}
}
