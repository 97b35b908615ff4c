package e2e

import (
	"testing"
)

// Gateways that cannot be reached, or refuse the login, are said so in one
// readable line on their screen; the mailbox keeps working.
func TestGatewayErrorsAreReadable(t *testing.T) {
	srv := startDovecot(t)
	addr := freePort(t) // nothing listens there
	cfg := writeConfig(t, `audit_log = "`+t.TempDir()+`/a.jsonl"
[mimecast]
base_url = "http://`+addr+`"
auth = "hmac"
app_id = "app"
app_key_env = "MC_KEY"
access_key = "access"
secret_key_env = "MC_SECRET"

[fortimail]
url = "http://`+addr+`"
username = "admin"
password_env = "FM_PASSWORD"
`+accountConfig("soc", "imap://"+srv.Addr, "none", "", ""))
	term := run(t, []string{"E2E_IMAP_PASSWORD=" + password, "MC_KEY=a2V5", "MC_SECRET=c2VjcmV0", "FM_PASSWORD=pw"}, "--config", cfg)
	term.waitFor("soc │ INBOX │ 23 messages")
	term.keys("2")
	term.waitFor(addr)
	term.waitFor("connection refused")
	term.waitFor("connection refused", "ctrl+r tries again") // not "no policies"
	term.keys("3")
	term.waitFor("could not load domains", "connection refused", "ctrl+r tries again")
	term.keys("1")
	term.waitFor("soc │ INBOX │ 23 messages")
	term.keys("q")
	term.waitFor("EXITED 0")
}
