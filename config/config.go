// Package config reads mailtriage's TOML configuration, checks it, and
// resolves secrets. Every error names the file and the field at fault in one
// line, because the analyst reads it on a terminal, not in a stack trace.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the whole configuration file.
type Config struct {
	// Path is where the configuration was read from ("" for built-in ones).
	Path string `toml:"-"`
	// Theme is dark, light, high-contrast, none, or auto (follow the
	// terminal's background).
	Theme string `toml:"theme"`
	// Colors override single colours of the theme by role name.
	Colors map[string]string `toml:"colors"`
	// Keys rebinds keys per screen: [keys.mailbox] down = ["j", "ctrl+n"].
	Keys     map[string]map[string][]string `toml:"keys"`
	Accounts []Account                      `toml:"accounts"`
	Mimecast *Mimecast                      `toml:"mimecast"`
	// FortiMail is the [fortimail] table.
	FortiMail *FortiMail `toml:"fortimail"`
	// MaxMessageBytes caps how much of one message is fetched for reading.
	MaxMessageBytes int64 `toml:"max_message_bytes"`
	// Analysis tunes the evidence view ([analysis]).
	Analysis *Analysis `toml:"analysis"`
	// AuditLog is where remediation records go (default: the user's
	// state dir, see audit.DefaultPath).
	AuditLog string `toml:"audit_log"`
	// Serve is the [serve] table (mailtriage serve).
	Serve *Serve `toml:"serve"`
	// Verdicts are the verdicts for cases of reports and the replies to
	// reporters (see verdicts.go).
	Verdicts *Verdicts `toml:"verdicts"`
}

// Account is one [[accounts]] entry.
type Account struct {
	Name          string `toml:"name"`
	IMAP          string `toml:"imap"`
	TLS           string `toml:"tls"`
	AllowInsecure bool   `toml:"allow_insecure"`
	CAFile        string `toml:"ca_file"`
	Username      string `toml:"username"`
	Password      string `toml:"password"`
	PasswordCmd   string `toml:"password_cmd"`
	PasswordEnv   string `toml:"password_env"`
	DefaultFolder string `toml:"default_folder"`
	// SMTP submits reports to the abuse desk: smtps://host:465 or
	// smtp://host:587 (STARTTLS). Credentials default to the IMAP ones.
	SMTP            string `toml:"smtp"`
	SMTPTLS         string `toml:"smtp_tls"`
	SMTPUsername    string `toml:"smtp_username"`
	SMTPPassword    string `toml:"smtp_password"`
	SMTPPasswordCmd string `toml:"smtp_password_cmd"`
	SMTPPasswordEnv string `toml:"smtp_password_env"`
	// ReportTo is the abuse/report address F forwards to; ReportFrom the
	// sender (default: username).
	ReportTo   string `toml:"report_to"`
	ReportFrom string `toml:"report_from"`
	// Folders assigns roles to folders where the server announces none:
	// [accounts.folders] trash = "Deleted Items".
	Folders map[string]string `toml:"folders"`
	// PollSeconds is the STATUS polling interval where IDLE is missing
	// or switched off with idle = false.
	PollSeconds int `toml:"poll_seconds"`
	// Idle = false polls every poll_seconds even where the server offers
	// IDLE (Courier's IDLE reports new mail only every 60 s). Default true.
	Idle *bool `toml:"idle"`
	// Connections caps the command connections to the server.
	Connections int `toml:"connections"`

	// Graph makes this a Microsoft Graph account instead of IMAP:
	// graph = "https://graph.microsoft.com/v1.0".
	Graph string `toml:"graph"`
	// Mailbox is the Graph user whose mail is read (UPN or id); empty
	// means the signed-in user. App-only tokens need it.
	Mailbox string `toml:"mailbox"`
	// IMAPAuth is "password" (default) or "xoauth2" (Exchange Online
	// IMAP with the tenant/client_id sign-in below).
	IMAPAuth string `toml:"imap_auth"`
	// Tenant, ClientID and the client secret are the Entra ID app
	// registration for Graph and XOAUTH2; Auth is "client_credentials"
	// (default, app-only, needs the secret) or "device" (the analyst
	// signs in with a code shown on the terminal). Authority overrides
	// the login endpoint (national clouds).
	Tenant          string `toml:"tenant"`
	ClientID        string `toml:"client_id"`
	ClientSecret    string `toml:"client_secret"`
	ClientSecretCmd string `toml:"client_secret_cmd"`
	ClientSecretEnv string `toml:"client_secret_env"`
	Auth            string `toml:"auth"`
	Authority       string `toml:"authority"`
}

// Analysis is the [analysis] table: whose verdicts to trust and what to
// protect.
type Analysis struct {
	// TrustedAuthServIDs are the authserv-ids (e.g. "mx.example.com") of
	// the servers whose Authentication-Results are believed; empty: only
	// the topmost field (added by our own edge) counts.
	TrustedAuthServIDs []string `toml:"trusted_authserv_ids"`
	// InternalDomains are the organisation's own domains; InternalNames
	// names that should only ever write from them ("Jane Doe", "IT
	// Helpdesk"); ProtectedDomains further domains watched for look-alikes.
	InternalDomains  []string `toml:"internal_domains"`
	InternalNames    []string `toml:"internal_names"`
	ProtectedDomains []string `toml:"protected_domains"`
}

// Mimecast is the [mimecast] table (used by the Mimecast screens).
type Mimecast struct {
	BaseURL         string `toml:"base_url"`
	Auth            string `toml:"auth"`
	AppID           string `toml:"app_id"`
	AppKey          string `toml:"app_key"`
	AppKeyCmd       string `toml:"app_key_cmd"`
	AppKeyEnv       string `toml:"app_key_env"`
	AccessKey       string `toml:"access_key"`
	SecretKey       string `toml:"secret_key"`
	SecretKeyCmd    string `toml:"secret_key_cmd"`
	SecretKeyEnv    string `toml:"secret_key_env"`
	ClientID        string `toml:"client_id"`
	ClientSecret    string `toml:"client_secret"`
	ClientSecretCmd string `toml:"client_secret_cmd"`
	ClientSecretEnv string `toml:"client_secret_env"`
}

// FortiMail is the [fortimail] table (used by the FortiMail screens).
type FortiMail struct {
	URL         string `toml:"url"`
	Username    string `toml:"username"`
	Password    string `toml:"password"`
	PasswordCmd string `toml:"password_cmd"`
	PasswordEnv string `toml:"password_env"`
	VerifyTLS   *bool  `toml:"verify_tls"`
}

// DefaultMaxMessageBytes is how much of a message is read when the
// configuration does not say.
const DefaultMaxMessageBytes = 25 << 20

// ErrNoConfig means no configuration file exists at any of the places
// looked at.
var ErrNoConfig = errors.New("no configuration file")

// Locate returns the configuration path: flag, else $MAILTRIAGE_CONFIG,
// else $XDG_CONFIG_HOME/mailtriage/config.toml, else
// ~/.config/mailtriage/config.toml.
func Locate(flag string, getenv func(string) string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if p := getenv("MAILTRIAGE_CONFIG"); p != "" {
		return p, nil
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("cannot find the configuration: set --config, MAILTRIAGE_CONFIG or HOME")
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "mailtriage", "config.toml"), nil
}

// Load reads, decodes and checks the file at path.
func Load(path string) (*Config, error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("config %s: %w (create it, or try `mailtriage demo`)", path, ErrNoConfig)
	}
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg.Path = path
	if err := cfg.checkSecretsPrivate(st.Mode().Perm()); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes and checks configuration text.
func Parse(data []byte) (*Config, error) {
	var cfg Config
	md, err := toml.Decode(string(data), &cfg)
	if err != nil {
		return nil, tomlError(err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		keys := make([]string, len(undec))
		for i, k := range undec {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("unknown setting %s", strings.Join(keys, ", "))
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// tomlError keeps the parser's line and column but drops its multi-line
// context, to stay on one line.
func tomlError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d, column %d: %s", pe.Position.Line, pe.Position.Col, firstLine(pe.Message))
	}
	return errors.New(firstLine(err.Error()))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Account returns the account called name, or the first one when name is
// empty.
func (c *Config) Account(name string) (*Account, error) {
	if len(c.Accounts) == 0 {
		return nil, errors.New("no [[accounts]] configured")
	}
	if name == "" {
		return &c.Accounts[0], nil
	}
	for i := range c.Accounts {
		if c.Accounts[i].Name == name {
			return &c.Accounts[i], nil
		}
	}
	names := make([]string, len(c.Accounts))
	for i, a := range c.Accounts {
		names[i] = a.Name
	}
	return nil, fmt.Errorf("no account %q (configured: %s)", name, strings.Join(names, ", "))
}

// MessageLimit is the byte cap for reading one message.
func (c *Config) MessageLimit() int64 {
	if c.MaxMessageBytes > 0 {
		return c.MaxMessageBytes
	}
	return DefaultMaxMessageBytes
}
