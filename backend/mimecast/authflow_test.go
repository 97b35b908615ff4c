package mimecast_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

const pathGetPolicy = "/api/policy/blockedsenders/get-policy"

func wrongSecret(v string) setupOpt {
	return func(_ *mimecasttest.Options, co *mimecast.Options) {
		co.SecretKey, co.ClientSecret = fixed(v), fixed(v)
	}
}

func TestWrongSecretIsAnAuthErrorWithoutTheSecret(t *testing.T) {
	const bad = "V3JvbmdTZWNyZXQ=" // base64 of "WrongSecret"
	for _, mode := range bothModes {
		t.Run(string(mode), func(t *testing.T) {
			e := setup(t, mode, wrongSecret(bad))
			_, err := e.c.Policies(ctx(t), mimecast.ListOptions{})
			var ae *mimecast.AuthError
			if !errors.As(err, &ae) || ae.Status != 401 {
				t.Fatalf("err = %v, want *AuthError 401", err)
			}
			if msg := err.Error() + fmt.Sprintf("%+v", ae); strings.Contains(msg, bad) || strings.Contains(msg, "WrongSecret") {
				t.Errorf("error shows the secret: %s", msg)
			}
			if n := e.srv.Requests(pathGetPolicy); mode == mimecast.AuthHMAC && n != 1 {
				t.Errorf("%d attempts, want 1: refused credentials are not retried", n)
			}
			if n := e.srv.Requests(pathGetPolicy); mode == mimecast.AuthOAuth2 && n != 0 {
				t.Errorf("%d API calls without a token, want 0", n)
			}
		})
	}
}

func TestHMACRefusals(t *testing.T) {
	tests := []struct {
		name string
		opt  setupOpt
		code string
	}{
		{"stale date", func(_ *mimecasttest.Options, co *mimecast.Options) {
			co.Now = func() time.Time { return newClock().Now().Add(-time.Hour) }
		}, "err_xdk_date_out_of_range"},
		{"unknown access key", func(_ *mimecasttest.Options, co *mimecast.Options) {
			co.AccessKey = "mYtOL3XZCOwG96BOunknown"
		}, "err_xdk_access_key_unknown"},
		{"wrong application key", func(_ *mimecasttest.Options, co *mimecast.Options) {
			co.AppKey = fixed("not-the-app-key")
		}, "err_xdk_signature_mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, mimecast.AuthHMAC, tt.opt)
			_, err := e.c.Policies(ctx(t), mimecast.ListOptions{})
			var ae *mimecast.AuthError
			if !errors.As(err, &ae) || ae.Status != 401 || len(ae.Codes) != 1 || ae.Codes[0] != tt.code {
				t.Errorf("err = %v, want *AuthError 401 with code %s", err, tt.code)
			}
		})
	}
}

func TestExpiredBindingIs418(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	e.srv.ExpireBinding()
	_, err := e.c.Policies(ctx(t), mimecast.ListOptions{})
	var ae *mimecast.AuthError
	if !errors.As(err, &ae) || ae.Status != 418 || !strings.Contains(err.Error(), "expired") {
		t.Errorf("err = %v, want *AuthError 418 saying the binding expired", err)
	}
}

func TestOAuthTokenIsCachedAndRefreshedBeforeExpiry(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2, func(so *mimecasttest.Options, _ *mimecast.Options) { so.TokenTTL = 10 * time.Minute })
	for range 3 {
		get(e.c.Policies(ctx(t), mimecast.ListOptions{}))(t)
	}
	if n := e.srv.Requests("/oauth/token"); n != 1 {
		t.Fatalf("%d token requests for 3 calls, want 1 (cached)", n)
	}
	e.clock.Advance(7 * time.Minute)
	get(e.c.Policies(ctx(t), mimecast.ListOptions{}))(t)
	if n := e.srv.Requests("/oauth/token"); n != 1 {
		t.Fatalf("%d token requests at 7 of 10 minutes, want still 1", n)
	}
	e.clock.Advance(2 * time.Minute) // 9 of 10: inside the refresh margin, not yet expired
	get(e.c.Policies(ctx(t), mimecast.ListOptions{}))(t)
	if n := e.srv.Requests("/oauth/token"); n != 2 {
		t.Errorf("%d token requests at 9 of 10 minutes, want 2 (refreshed early)", n)
	}
	if n := e.srv.Requests(pathGetPolicy); n != 5 {
		t.Errorf("%d API calls, want 5: none refused for an expired token", n)
	}
}

func TestOAuthTokenRevokedByServerIsReplacedOnce(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	get(e.c.Policies(ctx(t), mimecast.ListOptions{}))(t)
	e.srv.RevokeTokens()
	get(e.c.Policies(ctx(t), mimecast.ListOptions{}))(t)
	if tok, api := e.srv.Requests("/oauth/token"), e.srv.Requests(pathGetPolicy); tok != 2 || api != 3 {
		t.Errorf("token requests %d, API calls %d; want 2 and 3 (one refused, one retried)", tok, api)
	}
}

func TestConcurrentCallsShareOneTokenFetch(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	// The token endpoint is slowed so that callers arrive while the fetch
	// is in flight; whether one joins it or finds the cached token, only
	// one fetch may happen.
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultSlow, Path: "/oauth/token", Delay: 200 * time.Millisecond})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := e.c.Policies(ctx(t), mimecast.ListOptions{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.srv.Requests("/oauth/token"); n != 1 {
		t.Errorf("%d token requests from 8 concurrent calls, want 1", n)
	}
}

func TestTokenEndpointOutageIsRetriedForWritesToo(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultStatus, Path: "/oauth/token", Status: 503})
	p := get(e.c.BlockSender(ctx(t), "x@evil.example", "j.doe@example.com"))(t)
	if p.ID == "" || e.srv.Requests("/api/managedsender/permit-or-block-sender") != 1 {
		t.Errorf("block after a token outage: %+v, %d calls", p, e.srv.Requests("/api/managedsender/permit-or-block-sender"))
	}
}

func TestSecretsNeverAppearInErrorsOrStrings(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	cr := e.srv.Credentials()
	secrets := []string{cr.AppKey, cr.SecretKey, cr.ClientSecret}
	var texts []string
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultStatus, Times: 10})
	_, err := e.c.Policies(ctx(t), mimecast.ListOptions{})
	texts = append(texts, err.Error(), fmt.Sprintf("%+v %#v", e.c, e.c), cr.String())
	e.srv.ClearFaults()
	e.srv.ExpireBinding()
	_, err = e.c.CreatePolicy(ctx(t), mimecast.PolicySpec{Option: mimecast.OptionBlockSender, Description: "d", FromType: mimecast.Everyone})
	texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
	for _, s := range secrets {
		for _, text := range texts {
			if strings.Contains(text, s) {
				t.Errorf("a secret appears in %q", text)
			}
		}
	}
}

func TestCancelledContextStopsASlowCall(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultSlow, Path: pathGetPolicy, Delay: time.Hour})
	c, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e.c.Policies(c, mimecast.ListOptions{})
		done <- err
	}()
	waitFor(t, func() bool { return e.srv.Requests(pathGetPolicy) == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := e.srv.Requests(pathGetPolicy); n != 1 {
		t.Errorf("%d attempts, want 1: a cancelled call is not retried", n)
	}
	_, err := e.c.Policies(c, mimecast.ListOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("call with a done context: err = %v", err)
	}
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met before the deadline")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
