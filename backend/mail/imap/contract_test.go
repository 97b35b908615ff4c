package imap_test

import (
	"testing"
	"time"

	. "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/backend/mail/mailboxtest"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
	"github.com/mailtriage/mailtriage/internal/imapservers"
)

func TestDovecotContract(t *testing.T) {
	mailboxtest.Run(t, func(t *testing.T) mailboxtest.Fixture {
		srv := dovecottest.Start(t)
		if err := srv.AddUser(dvUser, dvPass); err != nil {
			t.Fatal(err)
		}
		if err := srv.CreateFolder(dvUser, "Junk"); err != nil {
			t.Fatal(err)
		}
		n := 0
		return mailboxtest.Fixture{Box: dovecotMailbox(srv, TLSNone, dvPass), Inbox: "INBOX", Other: "Junk", Seed: func(folder string, raw []byte) {
			n++
			when := time.Date(2026, 11, 1, 9, n, 0, 0, time.UTC)
			if err := srv.Deliver(dvUser, folder, dovecottest.Message{Raw: raw, InternalDate: when}); err != nil {
				t.Fatal(err)
			}
		}}
	})
}

// The contract suite against Cyrus and Courier, whose folders live under
// the personal namespace "INBOX." with "." between levels: "Junk" is
// their "INBOX.Junk".
func TestOtherServersContract(t *testing.T) {
	for _, kind := range []imapservers.Kind{imapservers.Cyrus, imapservers.Courier} {
		t.Run(string(kind), func(t *testing.T) {
			mailboxtest.Run(t, func(t *testing.T) mailboxtest.Fixture {
				srv := startServer(t, kind)
				if err := srv.CreateFolder(dvUser, "Junk"); err != nil {
					t.Fatal(err)
				}
				n := 0
				m := serverMailbox(t, srv)
				return mailboxtest.Fixture{Box: m, Inbox: "INBOX", Other: "Junk", Seed: func(folder string, raw []byte) {
					n++
					when := time.Date(2026, 11, 1, 9, n, 0, 0, time.UTC)
					if err := srv.Deliver(dvUser, folder, imapservers.Message{Raw: raw, InternalDate: when}); err != nil {
						t.Fatal(err)
					}
				}}
			})
		})
	}
}
