package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/backend/oauth"
	"github.com/mailtriage/mailtriage/backend/report"
	"github.com/mailtriage/mailtriage/config"
	"github.com/mailtriage/mailtriage/ui/session"
)

// openAccounts builds a mailbox per configured account (none connects
// yet) and finds the one to show first.
func openAccounts(cfg *config.Config, first string) ([]session.Account, int, error) {
	if _, err := cfg.Account(first); err != nil {
		return nil, 0, fmt.Errorf("config %s: %w", cfg.Path, err)
	}
	initial := 0
	var out []session.Account
	for i := range cfg.Accounts {
		a := &cfg.Accounts[i]
		acct, err := newAccount(a, cfg.MessageLimit())
		if err != nil {
			closeAccounts(out)
			return nil, 0, fmt.Errorf("config %s: accounts[%d] (%q): %w", cfg.Path, i, a.Name, err)
		}
		if a.Name == first {
			initial = i
		}
		out = append(out, acct)
	}
	return out, initial, nil
}

func newAccount(a *config.Account, limit int64) (session.Account, error) {
	acct, _, err := newAccountSMTP(a, limit)
	return acct, err
}

// newAccountSMTP is newAccount that also returns the account's SMTP
// submission server (nil when smtp is not configured), for send.
func newAccountSMTP(a *config.Account, limit int64) (session.Account, *report.Server, error) {
	if a.Graph != "" {
		return newGraphAccount(a, limit)
	}
	ep, err := a.Endpoint()
	if err != nil {
		return session.Account{}, nil, err
	}
	tlsCfg := &tls.Config{ServerName: ep.Host}
	if a.CAFile != "" {
		pool, err := loadCA(a.CAFile)
		if err != nil {
			return session.Account{}, nil, err
		}
		tlsCfg.RootCAs = pool
	}
	mode := map[string]imap.TLSMode{config.TLSImplicit: imap.TLSImplicit, config.TLSStartTLS: imap.TLSStartTLS, config.TLSNone: imap.TLSNone}[ep.TLS]
	icfg := imap.Config{
		Addr:         ep.Addr,
		TLS:          mode,
		TLSConfig:    tlsCfg,
		Username:     a.Username,
		Roles:        a.Roles(),
		Connections:  a.Connections,
		PollInterval: time.Duration(a.PollSeconds) * time.Second,
		NoIdle:       !a.UsesIdle(),
	}
	var outlook *oauth.Source
	if a.IMAPAuth == config.IMAPAuthXOAuth2 {
		if outlook, err = tokenSource(a, "outlook", nil); err != nil {
			return session.Account{}, nil, err
		}
		icfg.OAuth2 = outlook.Token
	} else {
		icfg.Password = a.PasswordSecret().Cached()
	}
	srv, err := smtpServer(a, tlsCfg, outlook)
	if err != nil {
		return session.Account{}, nil, err
	}
	mb := imap.New(icfg)
	return session.Account{
		Name:          a.Name,
		Server:        a.IMAP,
		Mailbox:       mb,
		DefaultFolder: a.DefaultFolder,
		MessageLimit:  limit,
		Report:        reportDesk(a, srv),
		Address:       ownAddress(a.Username, a.ReportFrom),
		FeedbackFrom:  a.FeedbackFrom(),
		SMTP:          srv,
	}, srv, nil
}

// reportDesk is the account's abuse desk, when smtp and report_to are
// set.
func reportDesk(a *config.Account, srv *report.Server) *session.ReportDesk {
	if srv == nil || a.ReportTo == "" {
		return nil
	}
	return &session.ReportDesk{SMTP: *srv, From: cmpOr(a.ReportFrom, a.Username, a.Mailbox), To: []string{a.ReportTo}}
}

// smtpServer is the account's SMTP submission server, nil when smtp is
// not set. It is trusted like the IMAP one (same ca_file).
func smtpServer(a *config.Account, imapTLS *tls.Config, outlook *oauth.Source) (*report.Server, error) {
	ep, ok, err := a.SMTPEndpoint()
	if err != nil || !ok {
		return nil, err
	}
	if imapTLS == nil {
		imapTLS = &tls.Config{}
	}
	tlsCfg := imapTLS.Clone()
	tlsCfg.ServerName = ep.Host
	user := cmpOr(a.SMTPUsername, a.Username, a.Mailbox)
	srv := &report.Server{Addr: ep.Addr, TLS: ep.TLS, TLSConfig: tlsCfg, Username: user}
	if outlook != nil && a.SMTPPassword+a.SMTPPasswordCmd+a.SMTPPasswordEnv == "" {
		// Exchange Online: the IMAP token's resource covers SMTP too.
		srv.OAuth2 = outlook.Token
	} else {
		srv.Password = a.SMTPPasswordSecret().Cached()
	}
	return srv, nil
}

func cmpOr(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// newGraphAccount builds a Microsoft Graph mailbox; the status bar shows
// the Graph URL and the mailbox read.
func newGraphAccount(a *config.Account, limit int64) (session.Account, *report.Server, error) {
	src, err := tokenSource(a, "graph", oauth.GraphScopes(oauthFlow(a), a.Graph))
	if err != nil {
		return session.Account{}, nil, err
	}
	stateDir, err := graphStateDir()
	if err != nil {
		return session.Account{}, nil, err
	}
	srv, err := smtpServer(a, nil, nil)
	if err != nil {
		return session.Account{}, nil, err
	}
	mb := graph.New(graph.Config{
		BaseURL:       a.Graph,
		Mailbox:       a.Mailbox,
		Token:         src.Token,
		TokenRejected: src.Reject,
		Roles:         a.Roles(),
		PollInterval:  time.Duration(a.PollSeconds) * time.Second,
		StateDir:      stateDir,
	})
	server := strings.TrimRight(a.Graph, "/") + "/me"
	if a.Mailbox != "" {
		server = strings.TrimRight(a.Graph, "/") + "/users/" + a.Mailbox
	}
	return session.Account{Name: a.Name, Server: server, Mailbox: mb, DefaultFolder: a.DefaultFolder, MessageLimit: limit, Report: reportDesk(a, srv),
		Address: ownAddress(a.Mailbox, a.ReportFrom), FeedbackFrom: a.FeedbackFrom(), SMTP: srv}, srv, nil
}

// graphStateDir is where Graph accounts keep their UID maps: the state
// directory the audit log and watch's state files default to, so UIDs
// from one run (a pull's item_id) hold in the next (an act).
func graphStateDir() (string, error) {
	def, err := audit.DefaultPath()
	if err != nil {
		return "", err
	}
	return filepath.Dir(def), nil
}

func oauthFlow(a *config.Account) oauth.Flow {
	if a.AuthFlow() == config.AuthDevice {
		return oauth.DeviceCode
	}
	return oauth.ClientCredentials
}

// tokenSource is the account's Entra ID token source for one resource
// ("graph" or "outlook"), cached under the user's state directory. The
// device-code prompt goes to stderr: signInFirst runs it before the
// console takes the terminal.
func tokenSource(a *config.Account, resource string, scopes []string) (*oauth.Source, error) {
	flow := oauthFlow(a)
	if scopes == nil {
		scopes = oauth.OutlookScopes(flow)
	}
	cache, err := oauth.CachePath(a.Name, resource)
	if err != nil {
		return nil, err
	}
	name := a.Name
	src := oauth.New(oauth.Config{
		Authority:    a.Authority,
		Tenant:       a.Tenant,
		ClientID:     a.ClientID,
		ClientSecret: a.ClientSecretSecret().Cached(),
		Flow:         flow,
		Scopes:       scopes,
		CachePath:    cache,
		Prompt: func(p oauth.DevicePrompt) {
			fmt.Fprintf(os.Stderr, "mailtriage: account %q: %s\n", name, analysis.SanitizeLine(p.Message))
		},
	})
	if err := signInFirst(src, name); err != nil {
		return nil, err
	}
	return src, nil
}

// signInFirst runs a device-code sign-in now, while the terminal is still
// ours, unless a cached or refreshable token makes it unnecessary; once
// the console runs, the prompt would have nowhere to go.
func signInFirst(src *oauth.Source, account string) error {
	if src.Flow() != oauth.DeviceCode || src.SignedIn() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if _, err := src.Token(ctx); err != nil {
		return fmt.Errorf("sign in to account %q: %w", account, err)
	}
	return nil
}

func loadCA(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file: %s holds no PEM certificate", path)
	}
	return pool, nil
}

// runCheck logs in to each account (or the one named) and reports in one
// line each: a quick way to test a configuration without the console.
func runCheck(ctx context.Context, args []string, cfgPath, only string, stdout, stderr io.Writer) int {
	fs, cfgFlag, acctFlag := newHeadless("check", "mailtriage check [--config FILE] [--account NAME]",
		"Log in to each configured account (or the one named) and print one line per account, or why it failed.", cfgPath, only)
	fs.Lookup("account").Usage = "check only this account (default: every account)"
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
	}
	cfgPath, only = *cfgFlag, *acctFlag
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return fail(stderr, 2, err)
	}
	accounts, _, err := openAccounts(cfg, only)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer closeAccounts(accounts)
	status := 0
	for _, a := range accounts {
		if only != "" && a.Name != only {
			continue
		}
		line, err := checkAccount(ctx, a)
		if err != nil {
			fmt.Fprintf(stderr, "mailtriage: %s: %s\n", a.Name, analysis.SanitizeLine(err.Error()))
			status = 1
			continue
		}
		fmt.Fprintf(stdout, "%s: %s\n", a.Name, analysis.SanitizeLine(line))
	}
	return status
}

func checkAccount(ctx context.Context, a session.Account) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	folders, err := a.Mailbox.Folders(ctx)
	if err != nil {
		return "", err
	}
	caps := a.Mailbox.Capabilities()
	var have []string
	for name, ok := range map[string]bool{"IDLE": caps.Idle, "MOVE": caps.Move, "UIDPLUS": caps.UIDPlus, "LIST-STATUS": caps.ListStatus, "CONDSTORE": caps.CondStore} {
		if ok {
			have = append(have, name)
		}
	}
	slices.Sort(have)
	inbox := ""
	for _, f := range folders {
		if f.Role == mail.RoleInbox && f.Status.Known {
			inbox = fmt.Sprintf(", INBOX %d messages (%d unread)", f.Status.Messages, f.Status.Unseen)
		}
	}
	if rc, ok := a.Mailbox.(roleChecker); ok {
		if err := rc.CheckRoleFolders(folders); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("ok, %d folders%s; server offers %s; %s", len(folders), inbox, strings.Join(have, " "), rolesFound(folders)), nil
}

// roleChecker is a mailbox that can tell whether the configured role
// folders ([accounts.folders]) exist (IMAP).
type roleChecker interface {
	CheckRoleFolders([]mail.Folder) error
}

// rolesFound says which folder has each role besides INBOX, in role order:
// "roles: trash = Trash, junk = Spam", or that none was found.
func rolesFound(folders []mail.Folder) string {
	var found []string
	for _, r := range mail.Roles {
		if r == mail.RoleInbox {
			continue
		}
		for _, f := range folders {
			if f.Role == r {
				found = append(found, fmt.Sprintf("%s = %s", r, analysis.SanitizeLine(f.Name)))
				break
			}
		}
	}
	if len(found) == 0 {
		return "no role folders (set them in [accounts.folders])"
	}
	return "roles: " + strings.Join(found, ", ")
}

// ownAddress is the first of the candidates that is an address: the
// mailbox's own, whose domain block guardrails protect.
func ownAddress(candidates ...string) string {
	for _, c := range candidates {
		if strings.Contains(c, "@") {
			return strings.ToLower(strings.TrimSpace(c))
		}
	}
	return ""
}
