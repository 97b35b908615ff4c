package imap

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/internal/imapservers"
)

// A folder deleted and recreated by another client gets a new UIDVALIDITY.
// A pooled connection that still has the old folder selected (Cyrus keeps
// it there) must select again rather than refuse every action after the
// reload ("folder was recreated … reload it", for ever).
func TestRecreatedFolderIsSelectedAgainAfterReload(t *testing.T) {
	for _, kind := range imapservers.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			srv := imapservers.Start(t, kind)
			const user, pass = "analyst", "pass"
			if err := srv.AddUser(user, pass); err != nil {
				t.Fatal(err)
			}
			if err := srv.CreateFolder(user, "Junk"); err != nil {
				t.Fatal(err)
			}
			one := imapservers.Message{Raw: []byte("Subject: one\r\n\r\nbody\r\n"), InternalDate: time.Now()}
			if err := srv.Deliver(user, "Junk", one); err != nil {
				t.Fatal(err)
			}
			m := New(Config{Addr: srv.Addr(), TLS: TLSNone, Username: user, Connections: 2,
				Password: func(context.Context) (string, error) { return pass, nil }})
			defer m.Close()
			ctx := context.Background()
			before, err := m.List(ctx, "Junk", 10)
			if err != nil {
				t.Fatal(err)
			}
			// Two pooled connections, the older one with Junk selected.
			a, err := m.pool.get(ctx, m.wire("Junk"))
			if err != nil {
				t.Fatal(err)
			}
			b, err := m.pool.get(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if a.selected != m.wire("Junk") || b.selected != "" {
				t.Fatalf("pool: a on %q, b on %q", a.selected, b.selected)
			}
			m.pool.put(a, false)
			m.pool.put(b, false)

			recreate(t, srv, user, pass, "Junk", one)

			// ctrl+r: the list is read again (on b, which selects afresh).
			after, err := m.List(ctx, "Junk", 10)
			if err != nil {
				t.Fatal(err)
			}
			if after.Folder.UIDValidity == before.Folder.UIDValidity {
				t.Fatalf("UIDVALIDITY %d did not change", after.Folder.UIDValidity)
			}
			// An action on the reloaded list, on whichever connection.
			for range 2 {
				if err := m.SetSeen(ctx, after.Folder, after.UIDs, true); err != nil {
					t.Fatalf("act after the reload: %v", err)
				}
			}
			// The old UIDs stay refused.
			if err := m.SetSeen(ctx, before.Folder, before.UIDs, true); !errors.Is(err, mail.ErrUIDValidityChanged) {
				t.Fatalf("act with the old UIDVALIDITY: %v", err)
			}
		})
	}
}

// recreate deletes and recreates the folder name as another client would, with msg in
// it again.
func recreate(t *testing.T, srv imapservers.Server, user, pass, name string, msg imapservers.Message) {
	t.Helper()
	full := imapservers.FullName(srv, name)
	c, err := imapclient.DialInsecure(srv.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(full).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(full, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Deliver(user, name, msg); err != nil {
		t.Fatal(err)
	}
}
