package verdict_test

import (
	"context"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/verdict"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// benchFixture is the demo's 27 reports among n other messages in one
// folder.
func benchFixture(b *testing.B, n int) (*fixture, mail.FolderRef, mail.UID) {
	b.Helper()
	// The other messages arrived over the 90 days before now, as in a
	// busy reports folder; the reports arrive now.
	filler := dovecottest.GenerateMessages(n, 13, time.Now())
	f := startTB(b, filler...)
	ctx := context.Background()
	l, err := f.box.List(ctx, reports, 0)
	if err != nil {
		b.Fatal(err)
	}
	// The demo reports are delivered first: the first 27 UIDs.
	scan, err := verdict.Cases(ctx, "soc", f.box, l.Folder, l.UIDs[:27], verdict.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range scan.Cases {
		if c.Key == salaryKey {
			return f, l.Folder, c.Reports[0].UID
		}
	}
	b.Fatal("no salary case")
	return nil, mail.FolderRef{}, 0
}

// FindCase in a folder of 5,000 other messages: two server searches and
// the hits read, not the folder; the body search bounded to 30 days
// either side of the report (the default) and over the whole folder.
func BenchmarkFindCase5k(b *testing.B) {
	f, ref, uid := benchFixture(b, 5000)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		days int
	}{{"window30d", 0}, {"wholeFolder", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				c, err := verdict.FindCase(ctx, "soc", f.box, ref, uid, verdict.Options{SearchDays: bc.days})
				if err != nil || len(c.Reports) != 3 {
					b.Fatalf("%d reports, %v", len(c.Reports), err)
				}
			}
		})
	}
}

// Cases over the demo's 27 reports (every form: .eml, .msg, inline, ARF).
func BenchmarkCases27(b *testing.B) {
	f, ref, _ := benchFixture(b, 0)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		scan, err := verdict.Cases(ctx, "soc", f.box, ref, nil, verdict.Options{})
		if err != nil || len(scan.Cases) != 25 {
			b.Fatalf("%d cases, %v", len(scan.Cases), err)
		}
	}
}
