// Package corpustest seeds test servers with the demo corpus, so
// integration and end-to-end tests see the same mail the demo shows.
package corpustest

import (
	"testing"

	"github.com/mailtriage/mailtriage/demo"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// Seed delivers the corpus into user's Maildir on srv, with its folders
// (plus Trash and Junk), flags and dates.
func Seed(tb testing.TB, srv *dovecottest.Server, user string) {
	tb.Helper()
	msgs, err := demo.Messages()
	if err != nil {
		tb.Fatal(err)
	}
	byFolder := map[string][]dovecottest.Message{}
	var order []string
	for _, m := range msgs {
		if _, ok := byFolder[m.Folder]; !ok {
			order = append(order, m.Folder)
		}
		flags := make([]string, len(m.Flags))
		for i, f := range m.Flags {
			flags[i] = string(f)
		}
		byFolder[m.Folder] = append(byFolder[m.Folder], dovecottest.Message{Raw: m.Raw, Flags: flags, InternalDate: m.Date})
	}
	for _, f := range append(order, "Trash", "Junk") {
		if f == "INBOX" {
			continue
		}
		if err := srv.CreateFolder(user, f); err != nil {
			tb.Fatal(err)
		}
	}
	for _, f := range order {
		if err := srv.Deliver(user, f, byFolder[f]...); err != nil {
			tb.Fatal(err)
		}
	}
}
