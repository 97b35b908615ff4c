package fortimail_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
)

func TestLoginReportsTheApplianceAndHappensOnce(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{Version: "7.2.3"})
	info, err := c.Login(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.ProductVersion != "7.2.3" || c.Version().Minor != 2 {
		t.Errorf("version %q / %v, want 7.2.3", info.ProductVersion, c.Version())
	}
	for _, secret := range []string{"password", "csrf_token", "token"} {
		if _, kept := info.Extra[secret]; kept {
			t.Errorf("login info keeps %s", secret)
		}
	}
	if _, err := c.ListDomains(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Logins(); n != 1 {
		t.Errorf("%d logins, want 1 shared by every call", n)
	}
}

func TestConcurrentCallsShareOneLogin(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	runConcurrently(t, 8, func() error { _, err := c.ListDomains(ctx); return err })
	if n := srv.Logins(); n != 1 {
		t.Errorf("%d logins for 8 concurrent first calls, want 1", n)
	}
}

func TestExpiredSessionIsRenewedOnceAndTheCallRetried(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	if _, err := c.ListDomains(ctx); err != nil {
		t.Fatal(err)
	}
	srv.ExpireSessions()
	srv.ResetRequests()
	domains, err := c.ListDomains(ctx)
	if err != nil || len(domains) == 0 {
		t.Fatalf("after expiry: %v, %d domains", err, len(domains))
	}
	if n := srv.Logins(); n != 2 {
		t.Errorf("%d logins, want 2 (first, then one renewal)", n)
	}
	got := methodsAndStatus(srv.Requests())
	want := "GET 403, POST 200, GET 200"
	if got != want {
		t.Errorf("requests %q, want %q", got, want)
	}
}

func TestConcurrentCallsMeetingAnExpiredSessionRenewItOnce(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	if _, err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	srv.ExpireSessions()
	runConcurrently(t, 8, func() error { _, err := c.ListSessionProfiles(ctx); return err })
	if n := srv.Logins(); n != 2 {
		t.Errorf("%d logins, want 2: one renewal for all eight calls", n)
	}
}

func TestIdleTimeoutEndsTheSession(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	srv, c := start(t, fortimailtest.Options{IdleTimeout: 30 * time.Minute, Now: clock.Now})
	if _, err := c.ListDomains(ctx); err != nil {
		t.Fatal(err)
	}
	clock.advance(29 * time.Minute)
	if _, err := c.ListDomains(ctx); err != nil {
		t.Fatal(err)
	}
	if srv.Logins() != 1 {
		t.Fatal("session ended before its idle timeout")
	}
	clock.advance(31 * time.Minute)
	if _, err := c.ListDomains(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Logins(); n != 2 {
		t.Errorf("%d logins after the idle timeout, want 2", n)
	}
}

func TestPersistentRefusalIsRetriedOnlyOnce(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	srv.InjectFault(fortimailtest.Fault{Path: "ProfSession", Status: http.StatusForbidden, ErrorType: 7,
		ErrorMsg: "Failed: Access denied:Get object (ProfSession) "})
	_, err := c.GetSessionProfile(ctx, "Inbound_Session")
	if !errors.Is(err, fortimail.ErrAccessDenied) {
		t.Fatalf("error %v, want ErrAccessDenied", err)
	}
	if !strings.Contains(err.Error(), "Access denied:Get object (ProfSession)") {
		t.Errorf("error %q lost the appliance's message", err)
	}
	if n := len(requests(srv, http.MethodGet, "ProfSession")); n != 2 {
		t.Errorf("%d attempts, want 2 (the call, then one retry after a new login)", n)
	}
	if n := srv.Logins(); n != 2 {
		t.Errorf("%d logins, want 2", n)
	}
}

func TestSessionExpiringMidCallIsRenewed(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	srv.InjectFault(fortimailtest.Fault{Path: "domain", ExpireSession: true, Times: 1})
	if _, err := c.GetDomain(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	if n := srv.Logins(); n != 2 {
		t.Errorf("%d logins, want 2", n)
	}
}

func TestWrongPasswordIsRefusedClearlyAndNotRetried(t *testing.T) {
	srv := fortimailtest.New(fortimailtest.Options{})
	t.Cleanup(srv.Close)
	const wrong = "Tr0ub4dor&3-wrong"
	c := newClient(t, srv, func(o *fortimail.Options) { o.Password = constPassword(wrong) })
	_, err := c.ListDomains(ctx)
	if !errors.Is(err, fortimail.ErrLoginRefused) {
		t.Fatalf("error %v, want ErrLoginRefused", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, `log in as "admin"`) || !strings.Contains(msg, "403") || strings.Contains(msg, wrong) {
		t.Errorf("error %q should name the admin and the status, never the password", msg)
	}
	if n := srv.RefusedLogins(); n != 1 {
		t.Errorf("%d login attempts for one call, want 1", n)
	}
	if len(requests(srv, http.MethodGet, "domain")) != 0 {
		t.Error("the call went out without a session")
	}
}

func TestPasswordSourceFailureIsReported(t *testing.T) {
	srv := fortimailtest.New(fortimailtest.Options{})
	t.Cleanup(srv.Close)
	c := newClient(t, srv, func(o *fortimail.Options) {
		o.Password = func(context.Context) (string, error) { return "", errors.New("pass: no such entry") }
	})
	_, err := c.ListDomains(ctx)
	if err == nil || !strings.Contains(err.Error(), "pass: no such entry") {
		t.Fatalf("error %v, want the password source's", err)
	}
}

func TestPostLoginBannerIsConfirmed(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{PostLoginBanner: true})
	if _, err := c.ListDomains(ctx); err != nil {
		t.Fatal(err)
	}
	logins := requests(srv, http.MethodPost, "AdminLogin")
	if len(logins) != 2 || logins[1].Fields()["reqAction"] != float64(7) {
		t.Fatalf("logins %+v, want a second one with reqAction 7", logins)
	}
	if logins[1].Fields()["password"] != "******" {
		t.Error("the emulator's log shows a password")
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	if err := c.Logout(ctx); err != nil {
		t.Fatalf("logout without a session: %v", err)
	}
	if _, err := c.ListDomains(ctx); err != nil {
		t.Fatal(err)
	}
	if srv.Sessions() != 1 {
		t.Fatalf("%d sessions before logout", srv.Sessions())
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if srv.Sessions() != 0 {
		t.Errorf("%d sessions left after logout", srv.Sessions())
	}
	if _, err := c.ListDomains(ctx); err != nil || srv.Logins() != 2 {
		t.Errorf("call after logout: %v, %d logins", err, srv.Logins())
	}
}

func TestLogoutOfAnExpiredSessionIsQuiet(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	if _, err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	srv.ExpireSessions()
	if err := c.Logout(ctx); err != nil {
		t.Errorf("logout: %v", err)
	}
}

func runConcurrently(t *testing.T, n int, f func() error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- f()
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func methodsAndStatus(reqs []fortimailtest.Request) string {
	var parts []string
	for _, r := range reqs {
		parts = append(parts, r.Method+" "+strconv.Itoa(r.Status))
	}
	return strings.Join(parts, ", ")
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
