package mimecast

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const (
	pathManagedURLs   = "/api/ttp/url/get-all-managed-urls"
	pathCreateManaged = "/api/ttp/url/create-managed-url"
	pathDeleteManaged = "/api/ttp/url/delete-managed-url"
	pathDecodeURL     = "/api/ttp/url/decode-url"
)

// URLAction is what URL Protect does with a managed URL.
type URLAction string

// Managed-URL actions.
const (
	URLBlock  URLAction = "block"  // "blacklist"
	URLPermit URLAction = "permit" // "whitelist"
)

// MatchType says how much a managed URL covers.
type MatchType string

// Match types.
const (
	MatchExplicit MatchType = "explicit" // this URL only
	MatchDomain   MatchType = "domain"   // any URL on the domain
)

// ManagedURL is one managed-URL entry.
type ManagedURL struct {
	ID                   string    `json:"id"`
	Scheme               string    `json:"scheme"`
	Domain               string    `json:"domain"`
	Port                 int       `json:"port"` // -1 when none
	Path                 string    `json:"path"`
	QueryString          string    `json:"queryString"`
	MatchType            MatchType `json:"matchType"`
	Action               URLAction `json:"action"`
	Comment              string    `json:"comment"`
	DisableUserAwareness bool      `json:"disableUserAwareness"`
	DisableRewrite       bool      `json:"disableRewrite"`
	DisableLogClick      bool      `json:"disableLogClick"`
}

// URL reassembles the entry's URL for display.
func (m ManagedURL) URL() string {
	var b strings.Builder
	if m.Scheme != "" {
		b.WriteString(m.Scheme + "://")
	}
	b.WriteString(m.Domain)
	if m.Port > 0 {
		b.WriteString(":" + strconv.Itoa(m.Port))
	}
	b.WriteString(m.Path)
	if m.QueryString != "" {
		b.WriteString("?" + strings.TrimPrefix(m.QueryString, "?"))
	}
	return b.String()
}

// ManagedURLSpec is a URL to block or permit.
type ManagedURLSpec struct {
	URL       string    `json:"url"`
	Action    URLAction `json:"action"`
	MatchType MatchType `json:"matchType,omitempty"`
	Comment   string    `json:"comment,omitempty"`
	// DisableLogClick stops logging clicks on the URL.
	DisableLogClick bool `json:"disableLogClick"`
	// DisableRewrite and DisableUserAwareness apply to permitted URLs only.
	DisableRewrite       bool `json:"disableRewrite"`
	DisableUserAwareness bool `json:"disableUserAwareness"`
}

// Validate refuses what the server would refuse or silently misread.
func (s *ManagedURLSpec) Validate() error {
	if s.Action != URLBlock && s.Action != URLPermit {
		return invalid("action", "%q is not block or permit", s.Action)
	}
	if s.MatchType != "" && s.MatchType != MatchExplicit && s.MatchType != MatchDomain {
		return invalid("match type", "%q is not explicit or domain", s.MatchType)
	}
	if strings.Contains(s.URL, "#") {
		return invalid("url", "remove the #fragment; the server refuses it")
	}
	if _, err := splitURL(s.URL); err != nil {
		return err
	}
	if s.Action == URLBlock && (s.DisableRewrite || s.DisableUserAwareness) {
		return invalid("url", "disable rewrite and disable user awareness apply to permitted URLs only")
	}
	return nil
}

// splitURL parses a URL, accepting a bare domain, into the parts the
// server reports, so an entry can be matched against a spec.
func splitURL(raw string) (ManagedURL, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return ManagedURL{}, invalid("url", "%q is not a URL", raw)
	}
	port := -1
	if p := u.Port(); p != "" {
		port, _ = strconv.Atoi(p)
	}
	path := u.EscapedPath()
	if path == "/" {
		path = ""
	}
	return ManagedURL{Scheme: u.Scheme, Domain: strings.ToLower(u.Hostname()), Port: port, Path: path, QueryString: u.RawQuery}, nil
}

func (s *ManagedURLSpec) matches(m ManagedURL) bool {
	want, _ := splitURL(s.URL)
	path := m.Path
	if path == "/" {
		path = ""
	}
	mt := s.MatchType
	if mt == "" {
		mt = MatchExplicit
	}
	return m.Action == s.Action && m.MatchType == mt && strings.EqualFold(m.Domain, want.Domain) &&
		path == want.Path && strings.TrimPrefix(m.QueryString, "?") == want.QueryString
}

// ManagedURLFilter narrows ManagedURLs; the zero value lists all.
type ManagedURLFilter struct {
	DomainOrURL string `json:"domainOrUrl,omitempty"`
	ExactMatch  bool   `json:"exactMatch,omitempty"`
}

// ManagedURLs lists managed URLs.
func (c *Client) ManagedURLs(ctx context.Context, f ManagedURLFilter, opts ListOptions) ([]ManagedURL, error) {
	var item any
	if f != (ManagedURLFilter{}) {
		item = f
	}
	return list(ctx, c, pathManagedURLs, item, opts, direct[ManagedURL])
}

// CreateManagedURL blocks or permits a URL. If the answer is lost, the
// managed URLs for its domain are listed and the entry, if there, is the
// result; it is sent again only if absent.
func (c *Client) CreateManagedURL(ctx context.Context, spec ManagedURLSpec) (ManagedURL, error) {
	if err := spec.Validate(); err != nil {
		return ManagedURL{}, err
	}
	send := func(ctx context.Context) (ManagedURL, error) {
		return one[ManagedURL](ctx, c, pathCreateManaged, spec, writeCall)
	}
	verify := func(ctx context.Context) (ManagedURL, bool, error) {
		parts, _ := splitURL(spec.URL)
		all, err := c.ManagedURLs(ctx, ManagedURLFilter{DomainOrURL: parts.Domain}, ListOptions{})
		if err != nil {
			return ManagedURL{}, false, err
		}
		i := slices.IndexFunc(all, spec.matches)
		if i < 0 {
			return ManagedURL{}, false, nil
		}
		return all[i], true, nil
	}
	return applyOnce(ctx, c, send, verify)
}

// BlockURL blocks ("blacklists") a URL or, with MatchDomain, its domain.
func (c *Client) BlockURL(ctx context.Context, rawURL string, match MatchType, comment string) (ManagedURL, error) {
	return c.CreateManagedURL(ctx, ManagedURLSpec{URL: rawURL, Action: URLBlock, MatchType: match, Comment: comment})
}

// DeleteManagedURL removes a managed URL; resent after a lost answer, with
// "not found" on the resend counting as done.
func (c *Client) DeleteManagedURL(ctx context.Context, id string) error {
	if id == "" {
		return invalid("managed URL id", "required")
	}
	return c.deleteByID(ctx, pathDeleteManaged, id)
}

// DecodeURL returns the original of a URL Protect rewritten link.
func (c *Client) DecodeURL(ctx context.Context, encoded string) (string, error) {
	if strings.TrimSpace(encoded) == "" {
		return "", invalid("url", "required")
	}
	type decoded struct {
		URL     string `json:"url"`
		Success bool   `json:"success"`
	}
	d, err := one[decoded](ctx, c, pathDecodeURL, map[string]string{"url": encoded}, readCall)
	if err != nil {
		return "", err
	}
	if !d.Success || d.URL == "" {
		return "", &APIError{Path: pathDecodeURL, Failures: []Failure{{Errors: []FailError{{Code: "decode_failed", Message: "the server could not decode the URL"}}}}}
	}
	return d.URL, nil
}
