package analysis

import (
	"strconv"
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// AuthOptions says whose authentication verdicts count.
type AuthOptions struct {
	// TrustedAuthServIDs lists the authserv-ids (the first token of an
	// Authentication-Results field, e.g. "mx.example.com") of the servers
	// whose verdicts are believed. Anyone can add an Authentication-Results
	// field before the message reaches us, so fields from other servers
	// are listed but not used. When the list is empty, only the topmost
	// field counts: it was added last, by our own edge.
	TrustedAuthServIDs []string
}

// Auth is what the message's authentication headers say about it. Nothing
// here is verified locally: the verdicts are those of the receiving
// servers, and DKIM and ARC signatures are only parsed (checking them
// would need DNS).
type Auth struct {
	SPF   SPF    `json:"spf"`
	DKIM  []DKIM `json:"dkim"`
	DMARC DMARC  `json:"dmarc"`
	ARC   ARC    `json:"arc"`
	// Alignment compares the From domain with the SPF MAIL FROM domain and
	// each DKIM signing domain, by registrable domain (relaxed alignment).
	Alignment []AlignmentRow `json:"alignment"`
	// Fields lists every Authentication-Results field, topmost first.
	Fields []AuthResultsField `json:"fields"`
}

// SPF is the SPF verdict of a trusted server.
type SPF struct {
	Result   string `json:"result"` // pass, fail, softfail, …; "" when nobody trusted said
	MailFrom string `json:"mail_from,omitempty"`
	Domain   string `json:"domain,omitempty"` // the MAIL FROM domain (or HELO when MAIL FROM is empty)
	Helo     string `json:"helo,omitempty"`
	ClientIP string `json:"client_ip,omitempty"`
	// Source is "authentication-results" or "received-spf".
	Source string `json:"source,omitempty"`
}

// DKIM is one DKIM signature, or a DKIM verdict without a signature in the
// header (Signed false).
type DKIM struct {
	Domain    string `json:"domain"`
	Selector  string `json:"selector,omitempty"`
	Algorithm string `json:"algorithm,omitempty"`
	Identity  string `json:"identity,omitempty"`
	// Result is the verdict of a trusted server for this signature, or
	// "unverified" when no trusted server gave one.
	Result string `json:"result"`
	Signed bool   `json:"signed"`
}

// DMARC is the DMARC verdict of a trusted server.
type DMARC struct {
	Result     string `json:"result"`
	HeaderFrom string `json:"header_from,omitempty"`
}

// ARC summarises the Authenticated Received Chain headers.
type ARC struct {
	Sets int `json:"sets"` // number of ARC sets (highest i=)
	// Chain is the cv= of the newest ARC-Seal: none, pass or fail; "" when
	// there is no ARC header.
	Chain string `json:"chain,omitempty"`
	// Structural is true when the sets are complete and numbered 1…n and
	// the cv= values are as RFC 8617 requires. Signatures are not checked.
	Structural bool `json:"structural"`
	// Result is the arc= verdict of a trusted server, if any.
	Result    string   `json:"result,omitempty"`
	Instances []ARCSet `json:"instances,omitempty"`
	Problems  []string `json:"problems,omitempty"`
}

// ARCSet is one ARC set as its headers describe it.
type ARCSet struct {
	Instance   int    `json:"instance"`
	CV         string `json:"cv"`
	Domain     string `json:"domain,omitempty"` // the sealer's d=
	AuthServID string `json:"authserv_id,omitempty"`
	// Results is the sealer's own view of SPF/DKIM/DMARC, as "spf=pass dkim=fail".
	Results string `json:"results,omitempty"`
}

// AlignmentRow is one identifier compared against the From domain.
type AlignmentRow struct {
	Source    string `json:"source"` // header_from, mail_from, dkim
	Domain    string `json:"domain"`
	OrgDomain string `json:"org_domain"`
	Result    string `json:"result,omitempty"`
	Aligned   bool   `json:"aligned"`
}

// AuthResultsField is one Authentication-Results field.
type AuthResultsField struct {
	AuthServID string `json:"authserv_id"`
	Trusted    bool   `json:"trusted"`
	Results    string `json:"results,omitempty"` // "spf=pass dkim=pass dmarc=pass"
	Error      string `json:"error,omitempty"`
}

// Caps on what is parsed, so that hostile headers cost linear time.
const (
	maxAuthFields = 64
	maxTags       = 64
	maxARCSets    = 50 // RFC 8617 §4.2.1
)

// ParseAuth reads the authentication headers among fields (topmost first).
func ParseAuth(fields []Field, opts AuthOptions) Auth {
	var a Auth
	from := ParseAddress(firstField(fields, "From"))
	var sigs []DKIM
	var verdicts []*authres.DKIMResult
	arc := arcBuilder{}
	nAR := 0
	for _, f := range fields {
		switch strings.ToLower(f.Name) {
		case "authentication-results":
			if nAR >= maxAuthFields {
				continue
			}
			trusted := trustedID(opts, nAR, f.Value)
			nAR++
			id, results, err := parseAuthResults(f.Value)
			field := AuthResultsField{AuthServID: id, Trusted: trusted, Results: summarize(results)}
			if err != nil {
				field.Error = err.Error()
			}
			a.Fields = append(a.Fields, field)
			if trusted {
				a.useVerdicts(results, &verdicts)
			}
		case "dkim-signature":
			if len(sigs) < maxAuthFields {
				sigs = append(sigs, parseDKIMSignature(f.Value))
			}
		case "arc-seal", "arc-message-signature", "arc-authentication-results":
			arc.add(strings.ToLower(f.Name), f.Value)
		}
	}
	if a.SPF.Result == "" {
		if v := firstField(fields, "Received-SPF"); v != "" {
			a.SPF = parseReceivedSPF(v)
		}
	}
	a.DKIM = matchDKIM(sigs, verdicts)
	arcResult := a.ARC.Result
	a.ARC = arc.finish()
	a.ARC.Result = arcResult
	a.Alignment = alignment(from.Domain, a.SPF, a.DKIM)
	return a
}

func trustedID(opts AuthOptions, index int, value string) bool {
	if len(opts.TrustedAuthServIDs) == 0 {
		return index == 0
	}
	id, _ := authServID(stripComments(value))
	for _, t := range opts.TrustedAuthServIDs {
		if strings.EqualFold(strings.TrimSuffix(t, "."), strings.TrimSuffix(id, ".")) {
			return true
		}
	}
	return false
}

// useVerdicts takes the results of a trusted field. The first trusted
// field that states a method wins for SPF, DMARC and ARC; every DKIM
// verdict is kept to be matched with the signatures.
func (a *Auth) useVerdicts(results []authres.Result, dkim *[]*authres.DKIMResult) {
	for _, r := range results {
		switch r := r.(type) {
		case *authres.SPFResult:
			if a.SPF.Result == "" {
				a.SPF = SPF{Result: string(r.Value), MailFrom: r.From, Helo: r.Helo, Source: "authentication-results"}
				a.SPF.Domain = DomainOf(r.From)
				if a.SPF.Domain == "" {
					a.SPF.Domain = DomainOf(r.Helo)
				}
			}
		case *authres.DKIMResult:
			*dkim = append(*dkim, r)
		case *authres.DMARCResult:
			if a.DMARC.Result == "" {
				a.DMARC = DMARC{Result: string(r.Value), HeaderFrom: r.From}
			}
		case *authres.ARCResult:
			if a.ARC.Result == "" {
				a.ARC.Result = string(r.Value)
			}
		case *authres.GenericResult:
			if r.Method == "dmarc" && a.DMARC.Result == "" {
				a.DMARC = DMARC{Result: string(r.Value), HeaderFrom: r.Params["header.from"]}
			}
		}
	}
}

// parseAuthResults parses an Authentication-Results value with go-msgauth
// after taking out what it does not handle: comments, which carry
// spaces, semicolons and text an attacker chose, and a missing
// authserv-id (Exchange Online writes none).
func parseAuthResults(v string) (id string, results []authres.Result, err error) {
	v = stripComments(capString(v, 16<<10))
	id, noID := authServID(v)
	if noID {
		v = ";" + v
	}
	_, results, err = authres.Parse(v)
	return id, results, err
}

// authServID returns the authserv-id of a comment-free value; noID is
// true when the value starts right away with a result ("spf=pass ...").
func authServID(v string) (id string, noID bool) {
	first, _, _ := strings.Cut(v, ";")
	first = strings.TrimSpace(first)
	if strings.Contains(first, "=") {
		return "", true
	}
	if i := strings.IndexAny(first, " \t"); i >= 0 {
		first = first[:i]
	}
	return first, false
}

// stripComments removes RFC 5322 comments (nested parentheses) outside
// quoted strings, replacing each with a space.
func stripComments(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (quoted || depth > 0) && i+1 < len(s):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
			}
			i++
		case quoted:
			b.WriteByte(c)
			quoted = c != '"'
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			if depth--; depth == 0 {
				b.WriteByte(' ')
			}
		case depth > 0:
		case c == '"':
			quoted = true
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// summarize writes results as "spf=pass dkim=fail".
func summarize(results []authres.Result) string {
	var parts []string
	for _, r := range results {
		var method, value string
		switch r := r.(type) {
		case *authres.SPFResult:
			method, value = "spf", string(r.Value)
		case *authres.DKIMResult:
			method, value = "dkim", string(r.Value)
		case *authres.DMARCResult:
			method, value = "dmarc", string(r.Value)
		case *authres.ARCResult:
			method, value = "arc", string(r.Value)
		case *authres.AuthResult:
			method, value = "auth", string(r.Value)
		case *authres.IPRevResult:
			method, value = "iprev", string(r.Value)
		case *authres.DomainKeysResult:
			method, value = "domainkeys", string(r.Value)
		case *authres.SenderIDResult:
			method, value = "sender-id", string(r.Value)
		case *authres.GenericResult:
			method, value = r.Method, string(r.Value)
		}
		if len(parts) < maxTags {
			parts = append(parts, method+"="+value)
		}
	}
	return strings.Join(parts, " ")
}

// parseTags parses a tag list (RFC 6376 §3.2) such as a DKIM-Signature or
// ARC-Seal value. Whitespace inside values is removed, as for b= and bh=.
func parseTags(v string) map[string]string {
	tags := map[string]string{}
	for part := range strings.SplitSeq(capString(v, 64<<10), ";") {
		if len(tags) >= maxTags {
			break
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if _, dup := tags[k]; dup || k == "" {
			continue
		}
		tags[k] = strings.Join(strings.Fields(val), "")
	}
	return tags
}

func parseDKIMSignature(v string) DKIM {
	t := parseTags(v)
	return DKIM{
		Domain:    strings.ToLower(t["d"]),
		Selector:  t["s"],
		Algorithm: strings.ToLower(t["a"]),
		Identity:  t["i"],
		Result:    "unverified",
		Signed:    true,
	}
}

// matchDKIM pairs each signature with the trusted verdict about it, by
// d= (go-msgauth keeps neither header.s nor header.b, so two signatures of
// one domain take that domain's verdicts in order). Verdicts about
// signatures not in the header are listed as unsigned.
func matchDKIM(sigs []DKIM, verdicts []*authres.DKIMResult) []DKIM {
	used := make([]bool, len(verdicts))
	out := make([]DKIM, 0, len(sigs))
	for _, s := range sigs {
		for i, v := range verdicts {
			if used[i] || !strings.EqualFold(verdictDomain(v), s.Domain) {
				continue
			}
			used[i] = true
			s.Result = string(v.Value)
			break
		}
		out = append(out, s)
	}
	for i, v := range verdicts {
		if !used[i] {
			out = append(out, DKIM{Domain: verdictDomain(v), Identity: v.Identifier, Result: string(v.Value)})
		}
	}
	return out
}

func verdictDomain(v *authres.DKIMResult) string {
	if v.Domain != "" {
		return strings.ToLower(v.Domain)
	}
	return DomainOf(v.Identifier)
}

// parseReceivedSPF parses the topmost Received-SPF field (RFC 7208 §9.1):
// a result, a comment, then key=value pairs.
func parseReceivedSPF(v string) SPF {
	v = stripComments(capString(v, 16<<10))
	fields := strings.Fields(v)
	if len(fields) == 0 {
		return SPF{}
	}
	spf := SPF{Result: strings.ToLower(strings.TrimSuffix(fields[0], ";")), Source: "received-spf"}
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), fields[0]))
	t := parseTags(rest)
	spf.MailFrom = strings.Trim(t["envelope-from"], `"<>`)
	spf.Helo = t["helo"]
	spf.ClientIP = t["client-ip"]
	spf.Domain = DomainOf(spf.MailFrom)
	if spf.Domain == "" {
		spf.Domain = DomainOf(spf.Helo)
	}
	return spf
}

// alignment builds the table of identifiers against the From domain.
func alignment(fromDomain string, spf SPF, dkim []DKIM) []AlignmentRow {
	fromOrg := OrgDomain(fromDomain)
	rows := []AlignmentRow{{Source: "header_from", Domain: fromDomain, OrgDomain: fromOrg, Aligned: fromDomain != ""}}
	row := func(source, domain, result string) AlignmentRow {
		org := OrgDomain(domain)
		return AlignmentRow{Source: source, Domain: domain, OrgDomain: org, Result: result,
			Aligned: org != "" && fromOrg != "" && org == fromOrg}
	}
	if spf.Domain != "" || spf.Result != "" {
		rows = append(rows, row("mail_from", spf.Domain, spf.Result))
	}
	for _, d := range dkim {
		rows = append(rows, row("dkim", d.Domain, d.Result))
	}
	return rows
}

// arcBuilder collects ARC headers by instance.
type arcBuilder struct {
	seals, sigs, aars map[int]int // instance → count
	sets              map[int]*ARCSet
	problems          []string
	max               int
}

func (b *arcBuilder) add(name, v string) {
	if b.sets == nil {
		b.seals, b.sigs, b.aars, b.sets = map[int]int{}, map[int]int{}, map[int]int{}, map[int]*ARCSet{}
	}
	inst, rest := arcInstance(v)
	if inst < 1 || inst > maxARCSets {
		if len(b.problems) < 8 {
			b.problems = append(b.problems, name+" with missing or invalid i=")
		}
		return
	}
	b.max = max(b.max, inst)
	set := b.sets[inst]
	if set == nil {
		set = &ARCSet{Instance: inst}
		b.sets[inst] = set
	}
	switch name {
	case "arc-seal":
		b.seals[inst]++
		t := parseTags(v)
		set.CV = strings.ToLower(t["cv"])
		set.Domain = strings.ToLower(t["d"])
	case "arc-message-signature":
		b.sigs[inst]++
	case "arc-authentication-results":
		b.aars[inst]++
		id, results, _ := parseAuthResults(rest)
		set.AuthServID, set.Results = id, summarize(results)
	}
}

// arcInstance reads the leading "i=N;" of an ARC header; rest is what
// follows the first semicolon (for ARC-Authentication-Results).
func arcInstance(v string) (int, string) {
	t := parseTags(v)
	n, err := strconv.Atoi(t["i"])
	if err != nil {
		return 0, ""
	}
	_, rest, _ := strings.Cut(v, ";")
	return n, rest
}

func (b *arcBuilder) finish() ARC {
	if b.sets == nil && len(b.problems) == 0 {
		return ARC{}
	}
	arc := ARC{Sets: b.max, Problems: b.problems, Structural: len(b.problems) == 0}
	for i := 1; i <= b.max; i++ {
		set := b.sets[i]
		if set == nil || b.seals[i] != 1 || b.sigs[i] != 1 || b.aars[i] != 1 {
			arc.Structural = false
			arc.Problems = append(arc.Problems, "ARC set "+strconv.Itoa(i)+" is incomplete or duplicated")
			if set == nil {
				continue
			}
		}
		want := "pass"
		if i == 1 {
			want = "none"
		}
		if set.CV != want {
			arc.Structural = false
			arc.Problems = append(arc.Problems, "ARC-Seal i="+strconv.Itoa(i)+" has cv="+set.CV+", expected "+want)
		}
		arc.Instances = append(arc.Instances, *set)
	}
	if top := b.sets[b.max]; top != nil {
		arc.Chain = top.CV
	}
	for _, s := range arc.Instances {
		if s.CV == "fail" {
			arc.Chain = "fail"
		}
	}
	return arc
}
