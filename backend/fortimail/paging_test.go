package fortimail_test

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
)

// seedBlockList is the default seed with n entries in Inbound_Session's
// sender block list, and those entries in order.
func seedBlockList(n int) (fortimailtest.SeedData, []string) {
	seed := fortimailtest.DefaultSeed()
	entries := make([]string, n)
	for i := range entries {
		entries[i] = fmt.Sprintf("sender%05d@bulk.example.net", i)
	}
	lists := seed.SessionLists["Inbound_Session"]
	lists.SenderBlock = entries
	seed.SessionLists["Inbound_Session"] = lists
	return seed, entries
}

func TestCollectionOf5000EntriesIsReadWhole(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	seed, want := seedBlockList(5000)
	srv.Seed(seed)
	srv.ResetRequests()
	got, err := c.SessionListEntries(ctx, "Inbound_Session", fortimail.SessionSenderBlockList)
	mustOK(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read %d entries, want the %d seeded in order (first %q, last %q)", len(got), len(want), first(got), last(got))
	}
	// The emulator's pages hold 1000: five requests, each past the last.
	reqs := requests(srv, http.MethodGet, "ProfSessionSenderBlacklist")
	var queries []string
	for _, r := range reqs {
		queries = append(queries, r.Query)
	}
	wantQ := []string{"", "startIndex=1000&pageSize=1000", "startIndex=2000&pageSize=1000", "startIndex=3000&pageSize=1000", "startIndex=4000&pageSize=1000"}
	if !reflect.DeepEqual(queries, wantQ) {
		t.Errorf("requests %q, want %q", queries, wantQ)
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// TestEveryCollectionIsPaged reads each collection from an appliance that
// pages by one item and from one that sends it whole: the same items.
func TestEveryCollectionIsPaged(t *testing.T) {
	_, whole := start(t, fortimailtest.Options{})
	_, paged := start(t, fortimailtest.Options{PageSize: 1})
	reads := map[string]func(*fortimail.Client) (any, error){
		"domains":                  func(c *fortimail.Client) (any, error) { return c.ListDomains(ctx) },
		"session profiles":         func(c *fortimail.Client) (any, error) { return c.ListSessionProfiles(ctx) },
		"system antispam profiles": func(c *fortimail.Client) (any, error) { return c.ListAntispamProfiles(ctx, fortimail.System) },
		"recipient policies":       func(c *fortimail.Client) (any, error) { return c.ListRecipientPolicies(ctx, "example.com") },
		"greylist":                 func(c *fortimail.Client) (any, error) { return c.ListGreylist(ctx) },
		"auto-exempt greylist":     func(c *fortimail.Client) (any, error) { return c.ListAutoExemptGreylist(ctx) },
		"session sender block list": func(c *fortimail.Client) (any, error) {
			return c.SessionListEntries(ctx, "Inbound_Session", fortimail.SessionSenderBlockList)
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			want, err := read(whole)
			mustOK(t, err)
			got, err := read(paged)
			mustOK(t, err)
			if reflect.ValueOf(want).Len() < 2 {
				t.Fatalf("the seed has fewer than two %s: nothing to page", name)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("paged by one:\n%v\nwhole:\n%v", got, want)
			}
		})
	}
}

func TestCollectionThatStopsShortIsReported(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	seed, want := seedBlockList(5000)
	srv.Seed(seed)
	srv.InjectFault(fortimailtest.Fault{Method: http.MethodGet, Path: "ProfSession/Inbound_Session/ProfSessionSenderBlacklist", EndPaging: true, Times: 1})
	got, err := c.SessionListEntries(ctx, "Inbound_Session", fortimail.SessionSenderBlockList)
	var inc *fortimail.IncompleteError
	if !errors.Is(err, fortimail.ErrIncomplete) || !errors.As(err, &inc) {
		t.Fatalf("err %v, want an *IncompleteError", err)
	}
	if inc.Got != 1000 || inc.Total != 5000 || !strings.Contains(err.Error(), "read 1000 of 5000") {
		t.Errorf("error %q (got %d, total %d), want 1000 of 5000", err, inc.Got, inc.Total)
	}
	// What was read comes with the error, for a screen to show as partial.
	if !reflect.DeepEqual(got, want[:1000]) {
		t.Errorf("returned %d entries, want the first 1000", len(got))
	}
	// The fault is spent: the next read is whole.
	got, err = c.SessionListEntries(ctx, "Inbound_Session", fortimail.SessionSenderBlockList)
	if err != nil || len(got) != 5000 {
		t.Fatalf("read again: %d entries, %v", len(got), err)
	}
}

func TestAppliancesThatIgnoreStartIndexAreReported(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	seed, _ := seedBlockList(2500)
	srv.Seed(seed)
	srv.InjectFault(fortimailtest.Fault{Method: http.MethodGet, Path: "ProfSession", IgnoreStartIndex: true})
	_, err := c.SessionListEntries(ctx, "Inbound_Session", fortimail.SessionSenderBlockList)
	if !errors.Is(err, fortimail.ErrIncomplete) || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("err %v, want an incomplete read that names the repeated item", err)
	}
	if n := len(requests(srv, http.MethodGet, "ProfSessionSenderBlacklist")); n != 2 {
		t.Errorf("%d requests, want 2: the client stops at the first repeated page", n)
	}
}

func TestCollectionThatFailsMidwayKeepsBothErrors(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{PageSize: 2})
	// The domains collection holds three: page one is answered (the first
	// fault matches it and changes nothing), then page two fails.
	srv.InjectFault(fortimailtest.Fault{Method: http.MethodGet, Path: "domain", Times: 1})
	srv.InjectFault(fortimailtest.Fault{Method: http.MethodGet, Path: "domain", Times: 1, Status: http.StatusInternalServerError})
	got, err := c.ListDomains(ctx)
	var apiErr *fortimail.APIError
	if !errors.Is(err, fortimail.ErrIncomplete) || !errors.As(err, &apiErr) || apiErr.Status != http.StatusInternalServerError {
		t.Fatalf("err %v, want incomplete and the appliance's 500", err)
	}
	if len(got) != 2 {
		t.Errorf("returned %d domains, want the 2 of the first page", len(got))
	}
}
