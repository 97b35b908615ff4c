package imap_test

import (
	"context"
	"testing"

	. "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/corpustest"
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
		if len(l.UIDs) != bigFolder || len(l.Newest) != firstPage {
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
