package mimecast_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

const (
	pathCreatePolicy = "/api/policy/blockedsenders/create-policy"
	pathBlockSender  = "/api/managedsender/permit-or-block-sender"
	pathCreateURL    = "/api/ttp/url/create-managed-url"
	pathCreateGroup  = "/api/directory/create-group"
	pathAddMember    = "/api/directory/add-group-member"
	pathDeletePolicy = "/api/policy/blockedsenders/delete-policy"
)

func smallPages(n int) setupOpt {
	return func(so *mimecasttest.Options, _ *mimecast.Options) { so.MaxPageSize = n }
}

func blockSpec(i int) mimecast.PolicySpec {
	return mimecast.PolicySpec{Option: mimecast.OptionBlockSender, Description: fmt.Sprintf("policy %d", i),
		FromType: mimecast.IndividualEmailAddress, FromValue: fmt.Sprintf("p%d@evil.example", i)}
}

// sevenPolicies is an emulator holding seven policies, p0 to p6, served
// two a page.
func sevenPolicies(t *testing.T) *env {
	t.Helper()
	e := setup(t, mimecast.AuthHMAC, smallPages(2))
	var seed []mimecasttest.Policy
	for i := range 7 {
		seed = append(seed, mimecasttest.Policy{Option: "block_sender", Description: fmt.Sprintf("p%d", i), FromType: "everyone", ToType: "everyone"})
	}
	e.srv.Seed(mimecasttest.SeedData{Policies: seed})
	return e
}

func TestListsFollowPageTokensToTheEnd(t *testing.T) {
	e := sevenPolicies(t)

	all := get(e.c.Policies(ctx(t), mimecast.ListOptions{}))(t)
	if len(all) != 7 || all[0].Description != "p0" || all[6].Description != "p6" {
		t.Fatalf("got %d policies (%+v), want p0..p6", len(all), all)
	}
	if n := e.srv.Requests(pathGetPolicy); n != 4 {
		t.Errorf("%d pages fetched, want 4 (2+2+2+1)", n)
	}

	some := get(e.c.Policies(ctx(t), mimecast.ListOptions{Max: 3}))(t)
	if len(some) != 3 || some[2].Description != "p2" {
		t.Errorf("Max 3 gave %+v", some)
	}
	if n := e.srv.Requests(pathGetPolicy); n != 6 {
		t.Errorf("%d pages in all after Max 3, want 6 (it stops after 2 more)", n)
	}
}

func TestListsReadInPiecesResumeWhereTheyStopped(t *testing.T) {
	e := sevenPolicies(t)

	var got []string
	token, pieces := "", 0
	for {
		var next string
		some := get(e.c.Policies(ctx(t), mimecast.ListOptions{Max: 3, PageToken: token, Next: &next}))(t)
		for _, p := range some {
			got = append(got, p.Description)
		}
		pieces++
		if next == "" {
			break
		}
		if pieces > 7 {
			t.Fatalf("still not at the end after %d pieces: %v", pieces, got)
		}
		token = next
	}
	if want := "p0 p1 p2 p3 p4 p5 p6"; strings.Join(got, " ") != want {
		t.Errorf("pieces gave %q, want %q (none lost, none twice)", strings.Join(got, " "), want)
	}
	if pieces != 3 {
		t.Errorf("%d pieces, want 3 (3+3+1)", pieces)
	}
}

func TestRateLimitWaitsTheResetThenSucceeds(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultRateLimit, Path: pathCreatePolicy, Times: 2, Reset: 1500 * time.Millisecond})
	p := get(e.c.CreatePolicy(ctx(t), blockSpec(1)))(t)
	if p.ID == "" {
		t.Fatal("no policy")
	}
	if w := e.sleep.Waits(); len(w) != 2 || w[0] != 1500*time.Millisecond || w[1] != 1500*time.Millisecond {
		t.Errorf("waits = %v, want [1.5s 1.5s] as X-RateLimit-Reset said", w)
	}
	if n, held := e.srv.Requests(pathCreatePolicy), len(e.srv.Policies()); n != 3 || held != 1 {
		t.Errorf("%d create requests, %d policies; want 3 and 1 (429 means not executed)", n, held)
	}
	if rl := e.c.RateLimit(); rl.Limit == 0 || rl.Remaining >= rl.Limit {
		t.Errorf("RateLimit() = %+v, want the quota from the last answer", rl)
	}
}

func TestRateLimitLongerThanAllowedIsReturned(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC, func(_ *mimecasttest.Options, co *mimecast.Options) { co.MaxRateLimitWait = time.Second })
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultRateLimit, Path: pathGetPolicy, Reset: 90 * time.Second})
	_, err := e.c.Policies(ctx(t), mimecast.ListOptions{})
	var rl *mimecast.RateLimitError
	if !errors.As(err, &rl) || rl.Reset != 90*time.Second {
		t.Fatalf("err = %v, want *RateLimitError with the 90s reset", err)
	}
	if w := e.sleep.Waits(); len(w) != 0 {
		t.Errorf("waited %v, want no wait beyond MaxRateLimitWait", w)
	}
}

func TestEmulatorQuotaAnswers429(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2, func(so *mimecasttest.Options, co *mimecast.Options) {
		so.RateLimit, so.RateWindow = 2, time.Minute
		co.MaxRateLimitRetries = 1
	})
	for range 2 {
		get(e.c.Policies(ctx(t), mimecast.ListOptions{}))(t)
	}
	_, err := e.c.Policies(ctx(t), mimecast.ListOptions{})
	var rl *mimecast.RateLimitError
	if !errors.As(err, &rl) || rl.Reset <= 0 || rl.Reset > time.Minute {
		t.Errorf("third call: err = %v, want *RateLimitError with a reset within the window", err)
	}
	e.clock.Advance(time.Minute)
	get(e.c.Policies(ctx(t), mimecast.ListOptions{}))(t)
}

func TestFailArrayIsSurfacedWithItsCode(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultFail, Path: pathBlockSender,
		Code: "err_xdk_binding_expired", Message: "binding expired"})
	_, err := e.c.BlockSender(ctx(t), "x@evil.example", "j.doe@example.com")
	var ae *mimecast.APIError
	if !errors.As(err, &ae) || !ae.Has("err_xdk_binding_expired") || ae.Path != pathBlockSender {
		t.Fatalf("err = %v, want *APIError with the code", err)
	}
	if n := e.srv.Requests(pathBlockSender); n != 1 {
		t.Errorf("%d requests, want 1: a function-level failure is not retried", n)
	}
	_, err = e.c.BlockSender(ctx(t), "x@evil.example", "not-an-address")
	var ve *mimecast.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("err = %v, want *ValidationError", err)
	}
}

func TestServerFailuresAreRetriedOnReads(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultStatus, Path: pathGetPolicy, Times: 2, Status: 503})
	get(e.c.Policies(ctx(t), mimecast.ListOptions{}))(t)
	if n := e.srv.Requests(pathGetPolicy); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	w := e.sleep.Waits()
	if len(w) != 2 || w[0] < 250*time.Millisecond || w[0] > 500*time.Millisecond || w[1] < 500*time.Millisecond || w[1] > time.Second {
		t.Errorf("back-off waits = %v, want ~[0.25-0.5s, 0.5-1s] (jittered doubling)", w)
	}
}

func TestReadRetriesAreBounded(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultStatus, Path: pathGetPolicy, Times: 10})
	_, err := e.c.Policies(ctx(t), mimecast.ListOptions{})
	var se *mimecast.StatusError
	if !errors.As(err, &se) || se.Status != 500 {
		t.Fatalf("err = %v, want *StatusError 500", err)
	}
	if n := e.srv.Requests(pathGetPolicy); n != 4 {
		t.Errorf("%d attempts, want 4 (1 + MaxRetries 3)", n)
	}
}

// Each write whose answer is lost after the server applied it must be
// found by a lookup, not sent again.
func TestAmbiguousWriteFailureIsLookedUpNotRepeated(t *testing.T) {
	tests := []struct {
		name, path string
		write      func(e *env) error
		held       func(e *env) int
	}{
		{"create policy", pathCreatePolicy,
			func(e *env) error { _, err := e.c.CreatePolicy(ctx(t), blockSpec(1)); return err },
			func(e *env) int { return len(e.srv.Policies()) }},
		{"block sender", pathBlockSender,
			func(e *env) error {
				_, err := e.c.BlockSender(ctx(t), "x@evil.example", "j.doe@example.com")
				return err
			},
			func(e *env) int { return len(e.srv.ManagedSenders()) }},
		{"block URL", pathCreateURL,
			func(e *env) error {
				_, err := e.c.BlockURL(ctx(t), "https://evil.example/login", mimecast.MatchExplicit, "")
				return err
			},
			func(e *env) int { return len(e.srv.ManagedURLs()) }},
		{"create group", pathCreateGroup,
			func(e *env) error { _, err := e.c.CreateGroup(ctx(t), "Quarantine", ""); return err },
			func(e *env) int { return len(e.srv.Groups()) }},
		{"add members", pathAddMember,
			func(e *env) error {
				_, err := e.c.AddGroupMembers(ctx(t), e.srv.Groups()[0].ID, []mimecast.MemberRef{{EmailAddress: "a@example.com"}, {Domain: "b.example"}})
				return err
			},
			func(e *env) int { return len(e.srv.Groups()[0].Members) + len(e.srv.Groups()) - 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, mimecast.AuthOAuth2)
			e.srv.Seed(mimecasttest.SeedData{Groups: []mimecasttest.Group{{Description: "Existing"}}})
			before := tt.held(e)
			e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultApplyThenFail, Path: tt.path})
			if err := tt.write(e); err != nil {
				t.Fatalf("write failed: %v (want the looked-up result)", err)
			}
			if n := e.srv.Requests(tt.path); n != 1 {
				t.Errorf("%d requests to %s, want 1 (no blind retry)", n, tt.path)
			}
			want := before + 1
			if tt.name == "add members" {
				want = before + 2
			}
			if got := tt.held(e); got != want {
				t.Errorf("server holds %d, want %d", got, want)
			}
		})
	}
}

func TestWriteNotAppliedIsSentAgainAfterLookup(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultStatus, Path: pathCreatePolicy, Status: 502})
	p := get(e.c.CreatePolicy(ctx(t), blockSpec(2)))(t)
	if n, held := e.srv.Requests(pathCreatePolicy), e.srv.Policies(); n != 2 || len(held) != 1 || held[0].ID != p.ID {
		t.Errorf("%d creates, server holds %+v; want 2 and exactly the returned policy", n, held)
	}
	if n := e.srv.Requests(pathGetPolicy); n != 1 {
		t.Errorf("%d lookups, want 1 before the resend", n)
	}
}

func TestTimedOutWriteIsLookedUpBeforeResending(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC, func(_ *mimecasttest.Options, co *mimecast.Options) { co.AttemptTimeout = 100 * time.Millisecond })
	// The server never answers the first create within the attempt's
	// deadline, and abandons it when the client hangs up: not applied.
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultSlow, Path: pathCreatePolicy, Delay: time.Hour})
	p := get(e.c.CreatePolicy(ctx(t), blockSpec(3)))(t)
	if held := e.srv.Policies(); len(held) != 1 || held[0].ID != p.ID {
		t.Errorf("server holds %+v, want exactly the returned policy", held)
	}
	if n := e.srv.Requests(pathCreatePolicy); n != 2 {
		t.Errorf("%d creates, want 2 (timed out, looked up, resent)", n)
	}
}

func TestWriteWhoseOutcomeCannotBeCheckedSaysSo(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultApplyThenFail, Path: pathCreatePolicy})
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultStatus, Path: pathGetPolicy, Times: 100})
	_, err := e.c.CreatePolicy(ctx(t), blockSpec(4))
	if !errors.Is(err, mimecast.ErrUncertain) {
		t.Fatalf("err = %v, want ErrUncertain", err)
	}
	var se *mimecast.StatusError
	if !errors.As(err, &se) {
		t.Errorf("err = %v, want the cause (*StatusError) kept", err)
	}
	if n := e.srv.Requests(pathCreatePolicy); n != 1 {
		t.Errorf("%d creates, want 1", n)
	}
}

func TestDeleteAfterLostAnswerCountsNotFoundAsDone(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	p := get(e.c.CreatePolicy(ctx(t), blockSpec(5)))(t)
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultApplyThenFail, Path: pathDeletePolicy})
	if err := e.c.DeletePolicy(ctx(t), p.ID); err != nil {
		t.Fatalf("err = %v, want success (deleted on the first try)", err)
	}
	if n := len(e.srv.Policies()); n != 0 {
		t.Errorf("%d policies left", n)
	}
}

func TestAmbiguousUpdateIsCheckedNotRepeated(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	p := get(e.c.CreatePolicy(ctx(t), blockSpec(6)))(t)
	spec := blockSpec(6)
	spec.Option = mimecast.OptionNoAction
	e.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultApplyThenFail, Path: pathCreatePolicy})
	u := get(e.c.UpdatePolicy(ctx(t), p.ID, spec))(t)
	if u.Option != mimecast.OptionNoAction || e.srv.Requests(pathCreatePolicy) != 2 {
		t.Errorf("update = %+v after %d create-policy calls, want no_action after 2 (create + update)", u, e.srv.Requests(pathCreatePolicy))
	}
}
