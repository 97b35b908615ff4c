package config

import (
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// Themes are the theme names the configuration accepts.
var Themes = []string{"auto", "dark", "light", "high-contrast", "none"}

// Validate checks every field and returns the first problem, naming it.
func (c *Config) Validate() error {
	if c.Theme != "" && !slices.Contains(Themes, c.Theme) {
		return fmt.Errorf("theme: %q is not one of %s", c.Theme, strings.Join(Themes, ", "))
	}
	if c.MaxMessageBytes < 0 {
		return fmt.Errorf("max_message_bytes: must be positive")
	}
	seen := map[string]bool{}
	for i := range c.Accounts {
		a := &c.Accounts[i]
		if err := a.validate(); err != nil {
			return fmt.Errorf("%s: %w", a.label(i), err)
		}
		if seen[a.Name] {
			return fmt.Errorf("%s: name %q is used twice", a.label(i), a.Name)
		}
		seen[a.Name] = true
	}
	if c.Serve != nil {
		if err := c.Serve.validate(); err != nil {
			return fmt.Errorf("serve.%w", err)
		}
	}
	return c.Verdicts.validate()
}

func (a *Account) label(i int) string {
	if a.Name != "" {
		return fmt.Sprintf("accounts[%d] (%q)", i, a.Name)
	}
	return fmt.Sprintf("accounts[%d]", i)
}

func (a *Account) validate() error {
	if a.Name == "" {
		return fmt.Errorf("name: missing")
	}
	switch {
	case a.IMAP != "" && a.Graph != "":
		return fmt.Errorf("imap, graph: set only one (an account is either IMAP or Microsoft Graph)")
	case a.Graph != "":
		if err := a.validateGraph(); err != nil {
			return err
		}
	default:
		if err := a.validateIMAP(); err != nil {
			return err
		}
	}
	for role, folder := range a.Folders {
		if !isRole(role) {
			return fmt.Errorf("folders.%s: unknown role (want one of %s)", role, roleNames())
		}
		if folder == "" {
			return fmt.Errorf("folders.%s: empty folder name", role)
		}
	}
	if _, _, err := a.SMTPEndpoint(); err != nil {
		return err
	}
	if a.SMTPPassword+a.SMTPPasswordCmd+a.SMTPPasswordEnv != "" {
		if err := oneSecret("smtp_password", a.SMTPPassword, a.SMTPPasswordCmd, a.SMTPPasswordEnv); err != nil {
			return err
		}
	}
	if a.ReportTo != "" && !strings.Contains(a.ReportTo, "@") {
		return fmt.Errorf("report_to: %q is not an email address", a.ReportTo)
	}
	if a.PollSeconds < 0 {
		return fmt.Errorf("poll_seconds: must be positive")
	}
	if a.Graph != "" && a.Idle != nil {
		return fmt.Errorf("idle: only for IMAP accounts (Graph accounts always poll, every poll_seconds)")
	}
	if a.Connections < 0 || a.Connections > 8 {
		return fmt.Errorf("connections: %d is out of range 1..8", a.Connections)
	}
	return nil
}

func (a *Account) validateIMAP() error {
	if a.Username == "" {
		return fmt.Errorf("username: missing")
	}
	if _, err := a.Endpoint(); err != nil {
		return err
	}
	if a.Mailbox != "" {
		return fmt.Errorf("mailbox: only for graph accounts (IMAP reads the mailbox of username)")
	}
	switch a.IMAPAuth {
	case "", IMAPAuthPassword:
		if err := a.noOAuth("imap_auth = \"xoauth2\" or graph"); err != nil {
			return err
		}
		return oneSecret("password", a.Password, a.PasswordCmd, a.PasswordEnv)
	case IMAPAuthXOAuth2:
		if a.Password+a.PasswordCmd+a.PasswordEnv != "" {
			return fmt.Errorf("password: not used with imap_auth = \"xoauth2\" (the token comes from tenant and client_id)")
		}
		return a.validateOAuth()
	}
	return fmt.Errorf("imap_auth: %q is not one of password, xoauth2", a.IMAPAuth)
}

func (a *Account) validateGraph() error {
	u, err := url.Parse(a.Graph)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return fmt.Errorf("graph: %q is not an https URL like %q", a.Graph, "https://graph.microsoft.com/v1.0")
	}
	for _, f := range []struct{ key, val string }{{"tls", a.TLS}, {"imap_auth", a.IMAPAuth}, {"ca_file", a.CAFile}} {
		if f.val != "" {
			return fmt.Errorf("%s: only for imap accounts", f.key)
		}
	}
	if a.Connections != 0 {
		return fmt.Errorf("connections: only for imap accounts")
	}
	if a.Password+a.PasswordCmd+a.PasswordEnv != "" {
		return fmt.Errorf("password: a graph account signs in with tenant and client_id, not a password")
	}
	if err := a.validateOAuth(); err != nil {
		return err
	}
	if a.AuthFlow() == AuthClientCredentials && a.Mailbox == "" {
		return fmt.Errorf("mailbox: missing (app-only sign-in has no user of its own; name the mailbox to read)")
	}
	if a.SMTP != "" && a.SMTPPassword+a.SMTPPasswordCmd+a.SMTPPasswordEnv == "" {
		return fmt.Errorf("smtp_password: missing (a graph account has no password to reuse for SMTP)")
	}
	return nil
}

// Sign-in settings as written in the configuration.
const (
	IMAPAuthPassword      = "password"
	IMAPAuthXOAuth2       = "xoauth2"
	AuthClientCredentials = "client_credentials"
	AuthDevice            = "device"
)

// AuthFlow is the OAuth2 flow of a graph or xoauth2 account.
func (a *Account) AuthFlow() string {
	if a.Auth == "" {
		return AuthClientCredentials
	}
	return a.Auth
}

// UsesOAuth reports whether the account signs in with Entra ID.
func (a *Account) UsesOAuth() bool { return a.Graph != "" || a.IMAPAuth == IMAPAuthXOAuth2 }

func (a *Account) validateOAuth() error {
	if a.Tenant == "" {
		return fmt.Errorf("tenant: missing (the Entra ID tenant id or domain)")
	}
	if a.ClientID == "" {
		return fmt.Errorf("client_id: missing (the app registration's application id)")
	}
	if a.Authority != "" {
		if u, err := url.Parse(a.Authority); err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
			return fmt.Errorf("authority: %q is not an https URL like %q", a.Authority, "https://login.microsoftonline.com")
		}
	}
	secret := a.ClientSecret + a.ClientSecretCmd + a.ClientSecretEnv
	switch a.AuthFlow() {
	case AuthClientCredentials:
		return oneSecret("client_secret", a.ClientSecret, a.ClientSecretCmd, a.ClientSecretEnv)
	case AuthDevice:
		if secret != "" {
			return fmt.Errorf("client_secret: not used with auth = \"device\" (the analyst signs in; the app is a public client)")
		}
		return nil
	}
	return fmt.Errorf("auth: %q is not one of client_credentials, device", a.Auth)
}

// noOAuth refuses sign-in settings on an account that does not use them.
func (a *Account) noOAuth(use string) error {
	for _, f := range []struct{ key, val string }{{"tenant", a.Tenant}, {"client_id", a.ClientID}, {"client_secret", a.ClientSecret + a.ClientSecretCmd + a.ClientSecretEnv}, {"auth", a.Auth}, {"authority", a.Authority}} {
		if f.val != "" {
			return fmt.Errorf("%s: only used with %s", f.key, use)
		}
	}
	return nil
}

// TLS modes as written in the configuration.
const (
	TLSImplicit = "implicit"
	TLSStartTLS = "starttls"
	TLSNone     = "none"
)

// Endpoint is where and how to connect.
type Endpoint struct {
	Addr string // host:port
	Host string
	TLS  string // implicit | starttls | none
}

// Endpoint parses imap and tls into an address and a TLS mode: imaps://
// means implicit TLS (port 993), imap:// means STARTTLS (port 143) unless
// tls says "none". Plain text is allowed to loopback only, unless
// allow_insecure says otherwise.
func (a *Account) Endpoint() (Endpoint, error) {
	return endpointOf(scheme{key: "imap", tlsKey: "tls", secure: "imaps", plain: "imap", securePort: "993", plainPort: "143", example: "imaps://mail.example.com:993"}, a.IMAP, a.TLS, a.AllowInsecure)
}

// SMTPEndpoint is where reports are submitted (smtps:// implicit TLS on
// 465, smtp:// STARTTLS on 587); ok is false when no smtp is configured.
func (a *Account) SMTPEndpoint() (ep Endpoint, ok bool, err error) {
	if a.SMTP == "" {
		return Endpoint{}, false, nil
	}
	ep, err = endpointOf(scheme{key: "smtp", tlsKey: "smtp_tls", secure: "smtps", plain: "smtp", securePort: "465", plainPort: "587", example: "smtps://mail.example.com:465"}, a.SMTP, a.SMTPTLS, a.AllowInsecure)
	return ep, err == nil, err
}

// scheme describes one kind of server URL.
type scheme struct {
	key, tlsKey           string
	secure, plain         string // URL schemes: implicit TLS, STARTTLS
	securePort, plainPort string
	example               string
}

func endpointOf(sc scheme, raw, tlsMode string, allowInsecure bool) (Endpoint, error) {
	if raw == "" {
		return Endpoint{}, fmt.Errorf("%s: missing (e.g. %s = %q)", sc.key, sc.key, sc.example)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Endpoint{}, fmt.Errorf("%s: %q is not a URL like %s", sc.key, raw, sc.example)
	}
	var mode, port string
	switch u.Scheme {
	case sc.secure:
		mode, port = TLSImplicit, sc.securePort
	case sc.plain:
		mode, port = TLSStartTLS, sc.plainPort
	default:
		return Endpoint{}, fmt.Errorf("%s: scheme %q is not %s:// or %s://", sc.key, u.Scheme, sc.secure, sc.plain)
	}
	if u.Path != "" && u.Path != "/" || u.User != nil || u.RawQuery != "" {
		return Endpoint{}, fmt.Errorf("%s: %q has more than a host and port (put the user in username)", sc.key, raw)
	}
	if tlsMode != "" {
		if err := checkTLS(sc, u.Scheme, tlsMode); err != nil {
			return Endpoint{}, err
		}
		mode = tlsMode
	}
	host := u.Hostname()
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return Endpoint{}, fmt.Errorf("%s: port %q is not a port number", sc.key, p)
		}
		port = p
	}
	if mode == TLSNone && !allowInsecure && !isLoopback(host) {
		return Endpoint{}, fmt.Errorf("%s: \"none\" sends the password in clear text; it is allowed only to loopback unless allow_insecure = true", sc.tlsKey)
	}
	return Endpoint{Addr: net.JoinHostPort(host, port), Host: host, TLS: mode}, nil
}

func checkTLS(sc scheme, urlScheme, mode string) error {
	switch mode {
	case TLSImplicit:
		if urlScheme == sc.plain {
			return fmt.Errorf("%s: \"implicit\" contradicts %s:// (use %s:// for implicit TLS)", sc.tlsKey, sc.plain, sc.secure)
		}
	case TLSStartTLS, TLSNone:
		if urlScheme == sc.secure {
			return fmt.Errorf("%s: %q contradicts %s:// (use %s:// for STARTTLS or no TLS)", sc.tlsKey, mode, sc.secure, sc.plain)
		}
	default:
		return fmt.Errorf("%s: %q is not one of implicit, starttls, none", sc.tlsKey, mode)
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func oneSecret(name, plain, cmd, env string) error {
	n := 0
	for _, v := range []string{plain, cmd, env} {
		if v != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return fmt.Errorf("%s: missing (set %s_cmd, %s_env or %s)", name, name, name, name)
	case n > 1:
		return fmt.Errorf("%s: set only one of %s, %s_cmd, %s_env", name, name, name, name)
	}
	return nil
}

// checkSecretsPrivate refuses plain secrets in a file others can read.
func (c *Config) checkSecretsPrivate(perm fs.FileMode) error {
	if perm&0o077 == 0 {
		return nil
	}
	var fields []string
	for i, a := range c.Accounts {
		if a.Password != "" {
			fields = append(fields, a.label(i)+".password")
		}
		if a.SMTPPassword != "" {
			fields = append(fields, a.label(i)+".smtp_password")
		}
		if a.ClientSecret != "" {
			fields = append(fields, a.label(i)+".client_secret")
		}
	}
	if m := c.Mimecast; m != nil {
		for name, v := range map[string]string{"app_key": m.AppKey, "secret_key": m.SecretKey, "client_secret": m.ClientSecret} {
			if v != "" {
				fields = append(fields, "mimecast."+name)
			}
		}
	}
	if f := c.FortiMail; f != nil && f.Password != "" {
		fields = append(fields, "fortimail.password")
	}
	if len(fields) == 0 {
		return nil
	}
	return fmt.Errorf("%s: a plain secret in a file others can read (mode %04o); chmod 600 the file or use the _cmd / _env form", strings.Join(fields, ", "), perm)
}

func isRole(s string) bool {
	for _, r := range mail.Roles {
		if string(r) == s {
			return true
		}
	}
	return false
}

func roleNames() string {
	names := make([]string, len(mail.Roles))
	for i, r := range mail.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// UsesIdle reports whether new mail is waited for with IDLE where the
// server offers it (idle = false switches it off; default on).
func (a *Account) UsesIdle() bool { return a.Idle == nil || *a.Idle }

// Roles maps folder names to roles from the account's [folders] table.
func (a *Account) Roles() map[string]mail.Role {
	out := make(map[string]mail.Role, len(a.Folders))
	for role, folder := range a.Folders {
		out[folder] = mail.Role(role)
	}
	return out
}
