package mailbox

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
)

// prefixedMailbox shows folder names without an "INBOX." namespace prefix,
// as the IMAP backend does on Courier and Cyrus.
type prefixedMailbox struct{ *mailtest.Mailbox }

func (p prefixedMailbox) CanonicalName(name string) string {
	return strings.TrimPrefix(name, "INBOX.")
}

func TestOpenFolderTakesTheFullNameWithTheNamespacePrefix(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Phishing reports", mail.RoleNone)
	h := newHarness(t, mb, 120, 12)
	h.m.acct.Mailbox = prefixedMailbox{mb}
	h.run(h.m.OpenFolder("INBOX.Phishing reports"))
	if got := h.m.State().Folder; got != "Phishing reports" || len(h.errs) > 0 {
		t.Fatalf("opened %q, errors %v", got, h.errs)
	}
}
