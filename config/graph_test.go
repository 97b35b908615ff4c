package config

import (
	"strings"
	"testing"
)

func TestGraphAccounts(t *testing.T) {
	head := "[[accounts]]\nname = \"m365\"\n"
	tests := []struct {
		name, body, err string
	}{
		{"app-only", `graph = "https://graph.microsoft.com/v1.0"
tenant = "contoso.onmicrosoft.com"
client_id = "11111111-2222-3333-4444-555555555555"
client_secret_cmd = "pass show soc/graph"
mailbox = "soc-reports@contoso.example"`, ""},
		{"device", `graph = "https://graph.microsoft.com/v1.0"
tenant = "organizations"
client_id = "abc"
auth = "device"`, ""},
		{"both servers", `graph = "https://graph.microsoft.com/v1.0"
imap = "imaps://outlook.office365.com"`, "imap, graph: set only one"},
		{"no tenant", `graph = "https://graph.microsoft.com/v1.0"
client_id = "abc"
auth = "device"`, "tenant: missing"},
		{"no client id", `graph = "https://graph.microsoft.com/v1.0"
tenant = "t"
auth = "device"`, "client_id: missing"},
		{"no secret", `graph = "https://graph.microsoft.com/v1.0"
tenant = "t"
client_id = "abc"
mailbox = "x@example.com"`, "client_secret: missing"},
		{"app-only without mailbox", `graph = "https://graph.microsoft.com/v1.0"
tenant = "t"
client_id = "abc"
client_secret_env = "S"`, "mailbox: missing"},
		{"device with secret", `graph = "https://graph.microsoft.com/v1.0"
tenant = "t"
client_id = "abc"
client_secret_env = "S"
auth = "device"`, "client_secret: not used"},
		{"unknown flow", `graph = "https://graph.microsoft.com/v1.0"
tenant = "t"
client_id = "abc"
auth = "password"`, "auth: \"password\" is not one of"},
		{"plain http", `graph = "http://graph.example.com/v1.0"
tenant = "t"
client_id = "abc"
auth = "device"`, "graph: \"http://graph.example.com/v1.0\" is not an https URL"},
		{"password on graph", `graph = "https://graph.microsoft.com/v1.0"
tenant = "t"
client_id = "abc"
auth = "device"
password_env = "P"`, "password: a graph account signs in"},
		{"tls on graph", `graph = "https://graph.microsoft.com/v1.0"
tenant = "t"
client_id = "abc"
auth = "device"
tls = "implicit"`, "tls: only for imap accounts"},
		{"imap xoauth2", `imap = "imaps://outlook.office365.com"
username = "soc@contoso.example"
imap_auth = "xoauth2"
tenant = "t"
client_id = "abc"
auth = "device"`, ""},
		{"imap xoauth2 with password", `imap = "imaps://outlook.office365.com"
username = "soc@contoso.example"
imap_auth = "xoauth2"
tenant = "t"
client_id = "abc"
auth = "device"
password_env = "P"`, "password: not used with imap_auth"},
		{"imap xoauth2 without tenant", `imap = "imaps://outlook.office365.com"
username = "soc@contoso.example"
imap_auth = "xoauth2"
client_id = "abc"`, "tenant: missing"},
		{"imap password with tenant", `imap = "imaps://mail.example.com"
username = "soc@example.com"
password_env = "P"
tenant = "t"`, "tenant: only used with"},
		{"unknown imap_auth", `imap = "imaps://mail.example.com"
username = "soc@example.com"
imap_auth = "kerberos"`, "imap_auth: \"kerberos\""},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(head + tt.body + "\n"))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.err)
		case err != nil && !strings.Contains(err.Error(), `accounts[0] ("m365")`):
			t.Errorf("%s: error %v does not name the account", tt.name, err)
		}
	}
}
