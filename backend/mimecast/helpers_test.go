package mimecast_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

// clock is a settable time source shared by client and emulator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// sleeper records the client's waits instead of taking them.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// env is a client wired to a fresh emulator.
type env struct {
	srv   *mimecasttest.Server
	c     *mimecast.Client
	clock *clock
	sleep *sleeper
}

type setupOpt func(*mimecasttest.Options, *mimecast.Options)

func setup(t *testing.T, mode mimecast.AuthMode, opts ...setupOpt) *env {
	t.Helper()
	clk, sl := newClock(), &sleeper{}
	so := mimecasttest.Options{Now: clk.Now}
	co := mimecast.Options{Auth: mode, Now: clk.Now, Sleep: sl.Sleep}
	for _, o := range opts {
		o(&so, &co)
	}
	srv := mimecasttest.New(so)
	t.Cleanup(srv.Close)
	cr := srv.Credentials()
	co.BaseURL = srv.URL()
	co.AppID, co.ClientID = cr.AppID, cr.ClientID
	if co.AccessKey == "" {
		co.AccessKey = cr.AccessKey
	}
	co.AppKey = fixedOr(co.AppKey, cr.AppKey)
	co.SecretKey = fixedOr(co.SecretKey, cr.SecretKey)
	co.ClientSecret = fixedOr(co.ClientSecret, cr.ClientSecret)
	c, err := mimecast.New(co)
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, c: c, clock: clk, sleep: sl}
}

func fixedOr(f mimecast.SecretFunc, v string) mimecast.SecretFunc {
	if f != nil {
		return f
	}
	return fixed(v)
}

func fixed(v string) mimecast.SecretFunc {
	return func(context.Context) (string, error) { return v, nil }
}

var bothModes = []mimecast.AuthMode{mimecast.AuthHMAC, mimecast.AuthOAuth2}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// get unwraps a call's result, failing the test on error:
// p := get(c.CreatePolicy(ctx, spec))(t).
func get[T any](v T, err error) func(testing.TB) T {
	return func(tb testing.TB) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}
