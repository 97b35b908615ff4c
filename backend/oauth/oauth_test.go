package oauth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/backend/oauth"
	"github.com/mailtriage/mailtriage/internal/netproxy"
)

func secret(s string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return s, nil }
}

func appConfig(srv *graphtest.Server, cache string) oauth.Config {
	return oauth.Config{
		Authority:    srv.URL(),
		Tenant:       "contoso.onmicrosoft.com",
		ClientID:     srv.ClientID,
		ClientSecret: secret(srv.ClientSecret),
		Flow:         oauth.ClientCredentials,
		Scopes:       oauth.GraphScopes(oauth.ClientCredentials, srv.BaseURL()),
		CachePath:    cache,
		HTTPClient:   srv.Client(),
	}
}

func TestClientCredentialsTokenIsCachedPrivatelyAndReused(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	cache := filepath.Join(t.TempDir(), "state", "tokens", "soc-graph.json")
	src := oauth.New(appConfig(srv, cache))
	tok, err := src.Token(context.Background())
	if err != nil || tok == "" {
		t.Fatalf("token: %q %v", tok, err)
	}
	again, _ := src.Token(context.Background())
	if again != tok || srv.Grants(graphtest.GrantClientCredentials) != 1 {
		t.Fatalf("second call asked again (%d grants)", srv.Grants(graphtest.GrantClientCredentials))
	}
	st, err := os.Stat(cache)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v %v", st, err)
	}
	// A new process reads the cache instead of signing in.
	fresh := oauth.New(appConfig(srv, cache))
	if tok2, err := fresh.Token(context.Background()); err != nil || tok2 != tok || srv.Grants(graphtest.GrantClientCredentials) != 1 {
		t.Fatalf("cached token not reused: %v, %d grants", err, srv.Grants(graphtest.GrantClientCredentials))
	}
	// The token works against Graph.
	m := graph.New(graph.Config{BaseURL: srv.BaseURL(), Mailbox: srv.Mailbox, HTTPClient: srv.Client(), Token: fresh.Token})
	defer m.Close()
	if _, err := m.Folders(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestExpiredAppTokenIsRenewed(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	srv.SetTokenLifetime(time.Second)
	src := oauth.New(appConfig(srv, ""))
	first, _ := src.Token(context.Background())
	time.Sleep(1100 * time.Millisecond)
	second, err := src.Token(context.Background())
	if err != nil || second == first || srv.Grants(graphtest.GrantClientCredentials) != 2 {
		t.Fatalf("renewal: %v, same=%v, %d grants", err, second == first, srv.Grants(graphtest.GrantClientCredentials))
	}
}

func TestWrongSecretIsReportedInEntrasWords(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	cfg := appConfig(srv, "")
	cfg.ClientSecret = secret("wrong")
	_, err := oauth.New(cfg).Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestDeviceFlowPromptsPollsAndRefreshes(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	srv.SetDeviceFlow(2, 1)
	srv.SetTokenLifetime(time.Second)
	var mu sync.Mutex
	var prompts []oauth.DevicePrompt
	cache := filepath.Join(t.TempDir(), "tokens", "soc-graph.json")
	cfg := oauth.Config{
		Authority: srv.URL(), Tenant: "organizations", ClientID: srv.ClientID, Flow: oauth.DeviceCode,
		Scopes: oauth.GraphScopes(oauth.DeviceCode, srv.BaseURL()), CachePath: cache, HTTPClient: srv.Client(),
		Prompt: func(p oauth.DevicePrompt) {
			mu.Lock()
			prompts = append(prompts, p)
			mu.Unlock()
		},
	}
	src := oauth.New(cfg)
	tok, err := src.Token(context.Background())
	if err != nil || tok == "" {
		t.Fatalf("device flow: %v", err)
	}
	if len(prompts) != 1 || prompts[0].URL != "https://microsoft.com/devicelogin" || prompts[0].Code == "" || !strings.Contains(prompts[0].Message, prompts[0].Code) {
		t.Fatalf("prompts %+v", prompts)
	}
	time.Sleep(1100 * time.Millisecond)
	// A new process: the cached access token has expired, the refresh
	// token renews it without a second prompt.
	renewed, err := oauth.New(cfg).Token(context.Background())
	if err != nil || renewed == tok || srv.Grants(graphtest.GrantRefreshToken) != 1 || len(prompts) != 1 {
		t.Fatalf("refresh: %v, %d refreshes, %d prompts", err, srv.Grants(graphtest.GrantRefreshToken), len(prompts))
	}
}

func TestDeviceFlowGivesUpWhenCancelled(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	srv.SetDeviceFlow(1000, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	cfg := oauth.Config{Authority: srv.URL(), Tenant: "organizations", ClientID: srv.ClientID, Flow: oauth.DeviceCode,
		Scopes: oauth.GraphScopes(oauth.DeviceCode, srv.BaseURL()), HTTPClient: srv.Client(), Prompt: func(oauth.DevicePrompt) {}}
	if _, err := oauth.New(cfg).Token(ctx); err == nil || !strings.Contains(err.Error(), "abandoned") {
		t.Fatalf("cancelled device flow: %v", err)
	}
}

func TestCachePathIsUnderTheStateDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	p, err := oauth.CachePath("soc/main", "graph")
	if err != nil || p != "/state/mailtriage/tokens/soc_main-graph.json" {
		t.Fatalf("CachePath: %q %v", p, err)
	}
}

// A token revoked before its stated expiry is answered 401: it is dropped
// from memory and from the cache file, and the request goes again once
// with a new one; nothing is left for the next run to trip over.
func TestRevokedTokenIsDroppedFromMemoryAndDiskAndReplaced(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	cache := filepath.Join(t.TempDir(), "tokens", "soc-graph.json")
	src := oauth.New(appConfig(srv, cache))
	m := graph.New(graph.Config{BaseURL: srv.BaseURL(), Mailbox: srv.Mailbox, HTTPClient: srv.Client(), Token: src.Token, TokenRejected: src.Reject})
	defer m.Close()
	ctx := context.Background()
	old, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv.RevokeTokens()
	if _, err := m.Folders(ctx); err != nil {
		t.Fatalf("after the revocation: %v", err)
	}
	if n := srv.Grants(graphtest.GrantClientCredentials); n != 2 {
		t.Fatalf("%d sign-ins, want 2 (one new token)", n)
	}
	data, err := os.ReadFile(cache)
	if err != nil || strings.Contains(string(data), old) {
		t.Fatalf("the cache still holds the revoked token (%v)", err)
	}
	// A later process starts from the new token.
	next := oauth.New(appConfig(srv, cache))
	if tok, err := next.Token(ctx); err != nil || tok == old {
		t.Fatalf("next run: %q %v", tok, err)
	}
	// Revoked again, and again refused: one retry, then the 401 stands.
	srv.RevokeTokens()
	bad := graph.New(graph.Config{BaseURL: srv.BaseURL(), Mailbox: srv.Mailbox, HTTPClient: srv.Client(),
		Token: func(context.Context) (string, error) { return old, nil }, TokenRejected: src.Reject})
	defer bad.Close()
	var ge *graph.Error
	if _, err := bad.Folders(ctx); !errors.As(err, &ge) || ge.Status != 401 {
		t.Fatalf("a token that stays refused: %v", err)
	}
}

// Dropping a delegated token keeps the refresh token: no new sign-in.
func TestRejectKeepsTheRefreshToken(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	srv.SetDeviceFlow(0, 1)
	cfg := appConfig(srv, filepath.Join(t.TempDir(), "t.json"))
	cfg.Flow, cfg.Scopes = oauth.DeviceCode, oauth.GraphScopes(oauth.DeviceCode, srv.BaseURL())
	prompts := 0
	cfg.Prompt = func(oauth.DevicePrompt) { prompts++ }
	src := oauth.New(cfg)
	ctx := context.Background()
	tok, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src.Reject(tok)
	tok2, err := src.Token(ctx)
	if err != nil || tok2 == tok || prompts != 1 || srv.Grants(graphtest.GrantRefreshToken) != 1 {
		t.Fatalf("after reject: %v, %d prompts, %d refreshes", err, prompts, srv.Grants(graphtest.GrantRefreshToken))
	}
}

// A sign-in whose connection is cut is tried again; the token it gets
// works.
func TestSignInSurvivesACutLink(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	proxy := netproxy.Start(t, strings.TrimPrefix(srv.URL(), "http://"))
	cfg := appConfig(srv, "")
	cfg.Authority, cfg.HTTPClient = "http://"+proxy.Addr, nil
	src := oauth.New(cfg)
	proxy.CutAfter(100) // inside the first token request
	tok, err := src.Token(context.Background())
	if err != nil || tok == "" || !proxy.Cut() {
		t.Fatalf("token after a cut: %q %v (cut: %v)", tok, err, proxy.Cut())
	}
	if n := srv.Grants(graphtest.GrantClientCredentials); n != 1 {
		t.Fatalf("%d tokens issued", n)
	}
}
