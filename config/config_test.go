package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const minimal = `
[[accounts]]
name = "soc"
imap = "imaps://mail.example.com:993"
tls = "implicit"
username = "analyst@example.com"
password_cmd = "echo hunter2"
`

func TestMinimalAccountFromDesignNotes(t *testing.T) {
	cfg, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	a, err := cfg.Account("")
	if err != nil {
		t.Fatal(err)
	}
	ep, err := a.Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	if ep.Addr != "mail.example.com:993" || ep.TLS != TLSImplicit {
		t.Fatalf("endpoint = %+v", ep)
	}
	pw, err := a.PasswordSecret().Resolve(context.Background())
	if err != nil || pw != "hunter2" {
		t.Fatalf("password = %q, %v", pw, err)
	}
}

func TestEndpointDefaults(t *testing.T) {
	tests := []struct {
		imap, tls  string
		addr, mode string
	}{
		{"imaps://mail.example.com", "", "mail.example.com:993", TLSImplicit},
		{"imap://mail.example.com", "", "mail.example.com:143", TLSStartTLS},
		{"imap://127.0.0.1:1143", "none", "127.0.0.1:1143", TLSNone},
		{"imap://localhost", "none", "localhost:143", TLSNone},
		{"imap://[::1]:143", "none", "[::1]:143", TLSNone},
	}
	for _, tt := range tests {
		a := Account{IMAP: tt.imap, TLS: tt.tls}
		ep, err := a.Endpoint()
		if err != nil {
			t.Errorf("%s tls=%q: %v", tt.imap, tt.tls, err)
			continue
		}
		if ep.Addr != tt.addr || ep.TLS != tt.mode {
			t.Errorf("%s tls=%q: got %s %s, want %s %s", tt.imap, tt.tls, ep.Addr, ep.TLS, tt.addr, tt.mode)
		}
	}
}

// Every bad configuration is refused with one line that names the field.
func TestBadConfigNamesTheField(t *testing.T) {
	account := func(body string) string {
		return "[[accounts]]\nname = \"soc\"\nusername = \"a\"\n" + body
	}
	tests := []struct {
		name, config, want string
	}{
		{"syntax", "theme = ", "line 1"},
		{"unknown key", account("imap = \"imaps://h\"\npassword_env = \"X\"\npasword = \"x\"\n"), "unknown setting accounts.pasword"},
		{"missing imap", account("password_env = \"X\"\n"), `accounts[0] ("soc"): imap: missing`},
		{"bad scheme", account("imap = \"http://h\"\npassword_env = \"X\"\n"), `imap: scheme "http"`},
		{"tls contradicts scheme", account("imap = \"imaps://h\"\ntls = \"starttls\"\npassword_env = \"X\"\n"), `tls: "starttls" contradicts imaps://`},
		{"unknown tls", account("imap = \"imap://h\"\ntls = \"maybe\"\npassword_env = \"X\"\n"), `tls: "maybe" is not one of`},
		{"plain text off loopback", account("imap = \"imap://mail.example.com\"\ntls = \"none\"\npassword_env = \"X\"\n"), `tls: "none" sends the password in clear text`},
		{"no password", account("imap = \"imaps://h\"\n"), "password: missing"},
		{"two passwords", account("imap = \"imaps://h\"\npassword_env = \"X\"\npassword_cmd = \"y\"\n"), "password: set only one of"},
		{"bad port", account("imap = \"imaps://h:99999\"\npassword_env = \"X\"\n"), `imap: port "99999"`},
		{"bad role", account("imap = \"imaps://h\"\npassword_env = \"X\"\n[accounts.folders]\nbin = \"Trash\"\n"), "folders.bin: unknown role"},
		{"bad theme", "theme = \"pink\"\n", `theme: "pink" is not one of`},
		{"duplicate name", account("imap = \"imaps://h\"\npassword_env = \"X\"\n") + account("imap = \"imaps://h\"\npassword_env = \"X\"\n"), `name "soc" is used twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.config))
			if err == nil {
				t.Fatalf("config accepted, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error = %q, want one line containing %q", err, tt.want)
			}
		})
	}
}

func TestInsecureAllowedWhenAsked(t *testing.T) {
	a := Account{IMAP: "imap://mail.example.com", TLS: "none", AllowInsecure: true}
	if _, err := a.Endpoint(); err != nil {
		t.Fatalf("allow_insecure = true still refused: %v", err)
	}
}

func TestPlainSecretRefusedInReadableFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	body := "[[accounts]]\nname = \"soc\"\nimap = \"imaps://h\"\nusername = \"a\"\npassword = \"hunter2\"\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "password: a plain secret in a file others can read") {
		t.Fatalf("err = %v, want refusal of the plain password", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error leaks the secret: %v", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("mode 0600 still refused: %v", err)
	}
}

func TestMissingFileSuggestsDemo(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err == nil || !strings.Contains(err.Error(), "mailtriage demo") {
		t.Fatalf("err = %v", err)
	}
}

func TestLocateOrder(t *testing.T) {
	env := map[string]string{"MAILTRIAGE_CONFIG": "/a.toml", "XDG_CONFIG_HOME": "/xdg", "HOME": "/home/x"}
	get := func(k string) string { return env[k] }
	if p, _ := Locate("/flag.toml", get); p != "/flag.toml" {
		t.Errorf("flag: %s", p)
	}
	if p, _ := Locate("", get); p != "/a.toml" {
		t.Errorf("env: %s", p)
	}
	delete(env, "MAILTRIAGE_CONFIG")
	if p, _ := Locate("", get); p != "/xdg/mailtriage/config.toml" {
		t.Errorf("xdg: %s", p)
	}
	delete(env, "XDG_CONFIG_HOME")
	if p, _ := Locate("", get); p != "/home/x/.config/mailtriage/config.toml" {
		t.Errorf("home: %s", p)
	}
}

func TestSecretSources(t *testing.T) {
	ctx := context.Background()
	t.Setenv("MT_TEST_PW", "from-env")
	if v, err := (Secret{Field: "password", Env: "MT_TEST_PW"}).Resolve(ctx); err != nil || v != "from-env" {
		t.Errorf("env: %q %v", v, err)
	}
	_, err := (Secret{Field: "password", Env: "MT_TEST_UNSET_VAR"}).Resolve(ctx)
	if err == nil || !strings.Contains(err.Error(), "password_env: environment variable MT_TEST_UNSET_VAR is not set") {
		t.Errorf("unset env: %v", err)
	}
	_, err = (Secret{Field: "password", Cmd: "printf 'super%s' secret; echo oops >&2; exit 3"}).Resolve(ctx)
	if err == nil || !strings.Contains(err.Error(), "oops") || strings.Contains(err.Error(), "supersecret") {
		t.Errorf("failing command: %v (must show stderr, never stdout)", err)
	}
	_, err = (Secret{Field: "password", Cmd: "true"}).Resolve(ctx)
	if err == nil || !strings.Contains(err.Error(), "printed nothing") {
		t.Errorf("empty command: %v", err)
	}
}

func TestCachedSecretRunsCommandOnce(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "n")
	get := Secret{Field: "password", Cmd: "echo x >> " + counter + "; echo pw"}.Cached()
	for i := 0; i < 3; i++ {
		if v, err := get(context.Background()); err != nil || v != "pw" {
			t.Fatalf("%q %v", v, err)
		}
	}
	data, _ := os.ReadFile(counter)
	if n := strings.Count(string(data), "x"); n != 1 {
		t.Fatalf("command ran %d times, want 1", n)
	}
}

func TestVendorSectionsAccepted(t *testing.T) {
	cfg := minimal + `
[mimecast]
base_url = "https://eu-api.mimecast.com"
auth = "hmac"
app_id = "id"
app_key_cmd = "pass mc/appkey"
access_key = "ak"
secret_key_cmd = "pass mc/secret"

[fortimail]
url = "https://fortimail.example.com"
username = "admin"
password_cmd = "pass fm"
verify_tls = true
`
	if _, err := Parse([]byte(cfg)); err != nil {
		t.Fatalf("design-notes vendor sections refused: %v", err)
	}
}

// FuzzParse: any text yields a configuration or one line of error, never
// a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte("theme = \"dark\"\n[keys.mailbox]\ndown = [\"j\"]\n"))
	f.Add([]byte("[[accounts]]\nname = 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse(data)
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error: %q", err)
		}
	})
}

func TestAnalysisAndReportDeskKeys(t *testing.T) {
	cfg, err := Parse([]byte(`audit_log = "/var/log/mailtriage/audit.jsonl"
[analysis]
trusted_authserv_ids = ["mx.northwind.example"]
internal_domains = ["northwind.example"]
internal_names = ["Margaret Chen"]
protected_domains = ["northwind-bank.example"]
` + minimal + `smtp = "smtp://mail.example.com"
report_to = "abuse@example.com"
`))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Analysis
	if a == nil || a.TrustedAuthServIDs[0] != "mx.northwind.example" || a.InternalNames[0] != "Margaret Chen" || cfg.AuditLog == "" {
		t.Fatalf("analysis %+v audit %q", a, cfg.AuditLog)
	}
	ep, ok, err := cfg.Accounts[0].SMTPEndpoint()
	if err != nil || !ok || ep.Addr != "mail.example.com:587" || ep.TLS != TLSStartTLS {
		t.Fatalf("smtp %+v %v %v", ep, ok, err)
	}
	for _, bad := range []string{`smtp = "http://x"`, `smtp = "smtp://x"` + "\n" + `smtp_tls = "none"`, `report_to = "nobody"`} {
		if _, err := Parse([]byte(minimal + bad + "\n")); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestIdleCanBeSwitchedOffPerAccount(t *testing.T) {
	cfg, err := Parse([]byte(minimal + "idle = false\npoll_seconds = 15\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a := cfg.Accounts[0]; a.UsesIdle() || a.PollSeconds != 15 {
		t.Fatalf("idle = false: UsesIdle %v, poll %d", a.UsesIdle(), a.PollSeconds)
	}
	cfg, err = Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Accounts[0].UsesIdle() {
		t.Fatal("IDLE is off by default")
	}
	graph := "[[accounts]]\nname = \"exo\"\ngraph = \"https://graph.microsoft.com/v1.0\"\ntenant = \"t\"\nclient_id = \"c\"\nclient_secret_env = \"S\"\nmailbox = \"m@example.com\"\nidle = false\n"
	if _, err := Parse([]byte(graph)); err == nil || !strings.Contains(err.Error(), "idle: only for IMAP accounts") {
		t.Fatalf("idle on a Graph account: %v", err)
	}
}
