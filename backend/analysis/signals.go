package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Severity ranks a signal.
type Severity string

// Severities, from the most to the least serious.
const (
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
	Info   Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// Signal is one reason to suspect a message. Reason quotes the message
// (names, domains): it is NOT safe to display unsanitized.
type Signal struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Reason   string   `json:"reason"`
}

// Brand is an organisation phishers pretend to be.
type Brand struct {
	Name    string   // as shown in titles
	Names   []string // display names that claim the brand, lower case
	Domains []string // registrable domains the brand really sends from
}

// DefaultBrands are the brands most impersonated in phishing.
var DefaultBrands = []Brand{
	{"Microsoft", []string{"microsoft", "microsoft 365", "office 365", "office365", "outlook", "onedrive", "sharepoint", "microsoft teams"},
		[]string{"microsoft.com", "office.com", "office365.com", "outlook.com", "live.com", "hotmail.com", "microsoftonline.com", "sharepoint.com", "onedrive.com", "azure.com", "windows.net"}},
	{"PayPal", []string{"paypal"}, []string{"paypal.com", "paypal.me"}},
	{"Apple", []string{"apple", "apple support", "icloud", "itunes", "app store"}, []string{"apple.com", "icloud.com"}},
	{"Amazon", []string{"amazon", "amazon prime", "prime video", "aws"},
		[]string{"amazon.com", "amazon.de", "amazon.co.uk", "amazon.fr", "amazon.it", "amazon.es", "amazon.ca", "amazon.co.jp", "amazon.in", "amazon.com.au", "amazonaws.com", "aws.com"}},
	{"Google", []string{"google", "gmail", "google workspace", "google drive"}, []string{"google.com", "gmail.com", "youtube.com"}},
	{"DHL", []string{"dhl", "dhl express"}, []string{"dhl.com", "dhl.de"}},
	{"FedEx", []string{"fedex"}, []string{"fedex.com"}},
	{"UPS", []string{"ups"}, []string{"ups.com"}},
	{"USPS", []string{"usps"}, []string{"usps.com"}},
	{"DPD", []string{"dpd"}, []string{"dpd.com", "dpd.co.uk", "dpd.de"}},
	{"Royal Mail", []string{"royal mail"}, []string{"royalmail.com"}},
	{"DocuSign", []string{"docusign"}, []string{"docusign.com", "docusign.net"}},
	{"Adobe", []string{"adobe", "adobe sign", "adobe acrobat"}, []string{"adobe.com"}},
	{"Dropbox", []string{"dropbox"}, []string{"dropbox.com"}},
	{"LinkedIn", []string{"linkedin"}, []string{"linkedin.com"}},
	{"Facebook", []string{"facebook", "meta"}, []string{"facebook.com", "facebookmail.com", "meta.com"}},
	{"Instagram", []string{"instagram"}, []string{"instagram.com"}},
	{"WhatsApp", []string{"whatsapp"}, []string{"whatsapp.com"}},
	{"Netflix", []string{"netflix"}, []string{"netflix.com"}},
	{"Zoom", []string{"zoom", "zoom video"}, []string{"zoom.us", "zoom.com"}},
	{"Slack", []string{"slack"}, []string{"slack.com"}},
	{"Salesforce", []string{"salesforce"}, []string{"salesforce.com"}},
	{"Intuit", []string{"intuit", "quickbooks", "turbotax"}, []string{"intuit.com"}},
	{"Wells Fargo", []string{"wells fargo"}, []string{"wellsfargo.com"}},
	{"Chase", []string{"chase bank", "jpmorgan chase", "chase online"}, []string{"chase.com", "jpmorgan.com"}},
	{"Bank of America", []string{"bank of america", "bofa"}, []string{"bankofamerica.com", "bofa.com"}},
	{"HSBC", []string{"hsbc"}, []string{"hsbc.com", "hsbc.co.uk"}},
	{"Coinbase", []string{"coinbase"}, []string{"coinbase.com"}},
	{"Binance", []string{"binance"}, []string{"binance.com"}},
	{"Steam", []string{"steam", "steam support"}, []string{"steampowered.com", "steamcommunity.com"}},
	{"Norton", []string{"norton", "norton lifelock"}, []string{"norton.com"}},
	{"McAfee", []string{"mcafee"}, []string{"mcafee.com"}},
}

// SignalOptions configures what counts as impersonation.
type SignalOptions struct {
	Brands []Brand // nil: DefaultBrands
	// InternalDomains are the organisation's own domains; InternalNames
	// are names (executives, departments: "Jane Doe", "IT Helpdesk") that
	// should only ever write from them.
	InternalDomains []string
	InternalNames   []string
	// ProtectedDomains are further domains to watch for look-alikes; the
	// brands' and internal domains are always watched.
	ProtectedDomains []string
}

// SignalInput is the evidence the signals are drawn from.
type SignalInput struct {
	From        Address
	ReplyTo     Address
	ReturnPath  string // the Return-Path address
	Subject     string // decoded
	FromHeader  string // decoded, for hidden characters
	Text        string // plain body
	HTMLText    string // rendered HTML body
	Auth        Auth
	URLs        []URL
	Attachments []Attachment
}

const (
	maxSignalsPerID    = 10
	maxDomainsCompared = 200
)

// Signals draws the risk signals from in, most serious first.
func Signals(in SignalInput, opts SignalOptions) []Signal {
	if opts.Brands == nil {
		opts.Brands = DefaultBrands
	}
	s := signaller{opts: opts, perID: map[string]int{}}
	s.displayName(in.From)
	s.domains(in)
	s.headers(in)
	s.auth(in.Auth)
	s.urls(in.URLs)
	s.attachments(in.Attachments)
	s.hidden(in)
	slices.SortStableFunc(s.out, func(a, b Signal) int { return cmp.Compare(b.Severity.rank(), a.Severity.rank()) })
	return s.out
}

type signaller struct {
	opts  SignalOptions
	out   []Signal
	perID map[string]int
}

func (s *signaller) add(id string, sev Severity, title, reason string) {
	if s.perID[id]++; s.perID[id] > maxSignalsPerID {
		return
	}
	s.out = append(s.out, Signal{ID: id, Severity: sev, Title: title, Reason: capBytes(reason, 512)})
}

func (s *signaller) internal(domain string) bool {
	org := OrgDomain(domain)
	for _, d := range s.opts.InternalDomains {
		if OrgDomain(DomainOf(d)) == org {
			return true
		}
	}
	return false
}

// displayName finds a display name that claims to be someone the address
// is not.
func (s *signaller) displayName(from Address) {
	name := strings.TrimSpace(from.Name)
	if name == "" {
		return
	}
	fromOrg := OrgDomain(from.Domain)
	words := nameWords(name)
	for _, b := range s.opts.Brands {
		if !slices.ContainsFunc(b.Names, func(n string) bool { return containsWords(words, nameWords(n)) }) {
			continue
		}
		if !slices.ContainsFunc(b.Domains, func(d string) bool { return OrgDomain(d) == fromOrg }) {
			s.add("display_name_brand", High, "Display name claims "+b.Name,
				fmt.Sprintf("display name %q, but the address is %s", name, from.Address))
			break
		}
	}
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(`"'<>()[],;:`, r) }) {
		if !strings.Contains(w, "@") {
			continue
		}
		if d := DomainOf(w); d != "" && OrgDomain(d) != fromOrg {
			s.add("display_name_address", High, "Display name shows another address",
				fmt.Sprintf("display name shows %s, but the address is %s", w, from.Address))
			break
		}
	}
	if s.internal(from.Domain) {
		return
	}
	for _, n := range s.opts.InternalNames {
		if nw := nameWords(n); len(nw) > 0 && containsWords(words, nw) {
			s.add("display_name_internal", High, "Internal name from an outside address",
				fmt.Sprintf("display name %q names %q, but the address %s is not internal", name, n, from.Address))
			return
		}
	}
	for _, d := range s.opts.InternalDomains {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" && strings.Contains(strings.ToLower(name), d) {
			s.add("display_name_internal", High, "Internal domain in the display name of an outside address",
				fmt.Sprintf("display name %q mentions %s, but the address is %s", name, d, from.Address))
			return
		}
	}
}

// nameWords lowers a name to confusable-free words.
func nameWords(s string) []string {
	return strings.FieldsFunc(skeleton(strings.ToLower(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func containsWords(words, seq []string) bool {
	if len(seq) == 0 {
		return false
	}
	for i := 0; i+len(seq) <= len(words); i++ {
		if slices.Equal(words[i:i+len(seq)], seq) {
			return true
		}
	}
	return false
}

// protected returns the registrable domains watched for look-alikes.
func (s *signaller) protected() map[string]string {
	p := map[string]string{} // domain → whose
	for _, b := range s.opts.Brands {
		for _, d := range b.Domains {
			p[OrgDomain(d)] = b.Name
		}
	}
	for _, d := range s.opts.InternalDomains {
		p[OrgDomain(DomainOf(d))] = "our organisation"
	}
	for _, d := range s.opts.ProtectedDomains {
		p[OrgDomain(DomainOf(d))] = d
	}
	delete(p, "")
	return p
}

// domains checks the sender's and the URLs' domains for look-alikes.
func (s *signaller) domains(in SignalInput) {
	var order []string
	where := map[string]string{}
	note := func(domain, w string) {
		org := OrgDomain(domain)
		if org == "" || len(order) >= maxDomainsCompared {
			return
		}
		if _, ok := where[org]; !ok {
			where[org] = w
			order = append(order, org)
		}
	}
	note(in.From.Domain, "From")
	note(in.ReplyTo.Domain, "Reply-To")
	note(DomainOf(in.ReturnPath), "Return-Path")
	for _, u := range in.URLs {
		if !u.IsIP {
			note(u.Host, "a link")
		}
		if u.Wrapped != nil && u.Wrapped.Original != "" {
			_, host, _ := splitURL(u.Wrapped.Original)
			note(host, "a link")
		}
	}
	protected := s.protected()
	skeletons := make(map[string]string, len(protected)) // skeleton → protected domain
	for _, p := range sortedKeys(protected) {
		if _, dup := skeletons[skeleton(p)]; !dup {
			skeletons[skeleton(p)] = p
		}
	}
	brandWords := make([][]string, len(s.opts.Brands))
	for i, b := range s.opts.Brands {
		for _, d := range b.Domains {
			if label, _, _ := strings.Cut(d, "."); len(label) >= 4 {
				brandWords[i] = append(brandWords[i], skeleton(label))
			}
		}
	}
	for _, org := range order {
		if _, ok := protected[org]; ok {
			continue
		}
		w := where[org]
		uni := unicodeHost(org)
		if mixedScripts(uni) {
			s.add("mixed_script_domain", High, "Domain mixes scripts",
				fmt.Sprintf("%s domain %s (%s) mixes alphabets", w, uni, org))
		}
		matched := false
		if p, ok := skeletons[skeleton(uni)]; ok {
			s.add("confusable_domain", High, "Domain looks like "+protected[p],
				fmt.Sprintf("%s domain %s (%s) reads as %s", w, uni, org, p))
			matched = true
		}
		if !matched {
			for _, p := range sortedKeys(protected) {
				if len(p) >= 6 && editDistanceOne(org, p) {
					s.add("lookalike_domain", High, "Domain one letter off "+protected[p],
						fmt.Sprintf("%s domain %s differs from %s by one character", w, org, p))
					matched = true
					break
				}
			}
		}
		if !matched {
			for i, b := range s.opts.Brands {
				if brandInDomain(org, brandWords[i]) {
					s.add("brand_in_domain", Medium, "Domain uses the name "+b.Name,
						fmt.Sprintf("%s domain %s carries the name %s but is not one of its domains", w, org, b.Name))
					break
				}
			}
		}
		if uni != org && !matched {
			s.add("punycode_domain", Low, "Internationalised domain",
				fmt.Sprintf("%s domain %s is written %s", w, uni, org))
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// brandInDomain reports whether the first label of org, read as the
// analyst would (skeleton), holds one of brand (the skeletons of a
// brand's own domain labels) as a word: "paypal-secure.com",
// "secure-paypa1.net", "paypal.example".
func brandInDomain(org string, brand []string) bool {
	label, _, _ := strings.Cut(org, ".")
	words := strings.FieldsFunc(skeleton(label), func(r rune) bool { return r == '-' || r == '_' })
	for _, w := range words {
		if slices.Contains(brand, w) {
			return true
		}
	}
	return false
}

// editDistanceOne reports whether a and b differ by exactly one
// insertion, deletion, substitution or transposition of neighbours.
func editDistanceOne(a, b string) bool {
	if a == b || len(a)-len(b) > 1 || len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	switch {
	case len(a) == len(b):
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case len(a) > len(b):
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}

// confusables maps characters that render like Latin letters (or letter
// pairs) to them, for comparing what the analyst would read.
var confusables = map[rune]string{
	'а': "a", 'е': "e", 'о': "o", 'р': "p", 'с': "c", 'х': "x", 'у': "y", 'і': "i", 'ј': "j", 'ѕ': "s",
	'ԁ': "d", 'ɡ': "g", 'һ': "h", 'ӏ': "l", 'ԛ': "q", 'ԝ': "w", 'в': "b", 'к': "k", 'м': "m", 'н': "h", 'т': "t",
	'α': "a", 'ο': "o", 'ρ': "p", 'ν': "v", 'ι': "i", 'κ': "k", 'τ': "t", 'υ': "u", 'χ': "x", 'ϲ': "c", 'ε': "e",
	'ı': "i", 'ł': "l", 'ߋ': "o", 'օ': "o", 'ո': "n", 'ս': "u", 'ց': "g", 'ɑ': "a", 'ǀ': "l",
	'0': "o", '1': "l", '|': "l", 'à': "a", 'á': "a", 'â': "a", 'ä': "a", 'è': "e", 'é': "e", 'ê': "e",
	'ë': "e", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ò': "o", 'ó': "o", 'ô': "o", 'ö': "o", 'ù': "u",
	'ú': "u", 'û': "u", 'ü': "u", 'ç': "c", 'ñ': "n", 'ý': "y",
}

// skeleton maps s (lower case) to what it looks like in Latin letters:
// confusable characters replaced, "rn" read as "m", "vv" as "w", and "l"
// and "i" merged (they look alike in many sans-serif fonts).
func skeleton(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if c, ok := confusables[r]; ok {
			b.WriteString(c)
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	out := b.String()
	return skeletonPairs.Replace(out)
}

var skeletonPairs = strings.NewReplacer("rn", "m", "vv", "w", "i", "l")

// mixedScripts reports whether a label of the Unicode domain mixes
// letters of different scripts (Latin with Cyrillic, Greek, …).
func mixedScripts(domain string) bool {
	scripts := []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Armenian, unicode.Cherokee}
	for label := range strings.SplitSeq(domain, ".") {
		seen := 0
		for i, t := range scripts {
			for _, r := range label {
				if unicode.Is(t, r) {
					seen |= 1 << i
					break
				}
			}
		}
		if seen&(seen-1) != 0 {
			return true
		}
	}
	return false
}

func (s *signaller) headers(in SignalInput) {
	fromOrg := OrgDomain(in.From.Domain)
	if in.ReplyTo.Domain != "" && fromOrg != "" && OrgDomain(in.ReplyTo.Domain) != fromOrg {
		s.add("reply_to_mismatch", Medium, "Replies go to another domain",
			fmt.Sprintf("Reply-To %s, From %s", in.ReplyTo.Address, in.From.Address))
	}
	if rp := DomainOf(in.ReturnPath); rp != "" && fromOrg != "" && OrgDomain(rp) != fromOrg {
		s.add("return_path_mismatch", Low, "Bounces go to another domain",
			fmt.Sprintf("Return-Path %s, From %s", in.ReturnPath, in.From.Address))
	}
}

func (s *signaller) auth(a Auth) {
	switch a.SPF.Result {
	case "fail", "hardfail":
		s.add("spf_fail", Medium, "SPF failed", "the sending server is not allowed to send for "+a.SPF.Domain)
	case "softfail":
		s.add("spf_softfail", Low, "SPF soft-failed", "the sending server is probably not allowed to send for "+a.SPF.Domain)
	case "permerror", "temperror":
		s.add("spf_error", Low, "SPF could not be checked", "SPF "+a.SPF.Result+" for "+a.SPF.Domain)
	}
	for _, d := range a.DKIM {
		if d.Result == "fail" || d.Result == "permerror" {
			s.add("dkim_fail", Medium, "DKIM signature failed", "the signature of "+d.Domain+" did not verify ("+d.Result+")")
		}
	}
	switch a.DMARC.Result {
	case "fail":
		s.add("dmarc_fail", High, "DMARC failed", "the From domain "+a.DMARC.HeaderFrom+" did not authenticate this message")
	case "":
		trusted := slices.ContainsFunc(a.Fields, func(f AuthResultsField) bool { return f.Trusted })
		if !trusted && a.SPF.Result == "" {
			s.add("no_auth_results", Info, "No authentication results", "no trusted server recorded SPF, DKIM or DMARC results")
		}
	}
	if a.ARC.Chain == "fail" || a.ARC.Result == "fail" {
		s.add("arc_fail", Low, "ARC chain failed", "a forwarder's ARC seal reports a failure")
	}
}

func (s *signaller) urls(urls []URL) {
	for _, u := range urls {
		target := u.URL
		if u.TextMismatch != "" {
			s.add("url_text_mismatch", High, "Link text names another site",
				fmt.Sprintf("text %q leads to %s", capBytes(u.TextMismatch, 80), capBytes(target, 200)))
		}
		if u.Userinfo {
			s.add("url_userinfo", Medium, "Link hides its host behind a user name",
				fmt.Sprintf("%s goes to %s", capBytes(target, 200), u.Host))
		}
		if u.IsIP && (u.Scheme == "http" || u.Scheme == "https") {
			s.add("url_ip_host", Medium, "Link to a bare IP address", capBytes(target, 200))
		}
		if u.Scheme == "javascript" || u.Scheme == "data" || u.Scheme == "vbscript" || u.Scheme == "file" {
			s.add("url_script", Medium, "Link runs or opens local content", capBytes(target, 200))
		}
		if u.Hidden && (u.Scheme == "http" || u.Scheme == "https") && slices.ContainsFunc(u.Where, func(w string) bool { return w == "html:a" }) {
			s.add("url_hidden", Low, "Link hidden from the reader", capBytes(target, 200))
		}
	}
}

var attachmentSignals = []struct {
	flag  string
	id    string
	sev   Severity
	title string
}{
	{AttachExecutable, "attachment_executable", High, "Executable or script attached"},
	{AttachDoubleExt, "attachment_double_extension", High, "Attachment hides its real extension"},
	{AttachBidiName, "attachment_bidi_name", High, "Attachment name reordered by bidi controls"},
	{AttachMismatch, "attachment_type_mismatch", High, "Attachment content does not match its extension"},
	{AttachMacros, "attachment_macros", High, "Office document with macros"},
	{AttachEncrypted, "attachment_encrypted", High, "Encrypted attachment: no scanner could look inside"},
	{AttachDiskImage, "attachment_disk_image", High, "Disk image attached"},
	{AttachDangerInside, "attachment_dangerous_entry", High, "Archive holds an executable"},
	{AttachMacroCapable, "attachment_macro_capable", Medium, "Macro-enabled Office type"},
	{AttachActiveContent, "attachment_active_content", Medium, "Attachment with active content"},
	{AttachHiddenChars, "attachment_hidden_chars", Medium, "Attachment name hides characters"},
	{AttachArchive, "attachment_archive", Low, "Archive attached"},
	{AttachNestedMessage, "attachment_message", Info, "Message attached: analysed separately"},
}

func (s *signaller) attachments(atts []Attachment) {
	for _, a := range atts {
		for _, as := range attachmentSignals {
			if !a.HasFlag(as.flag) {
				continue
			}
			reason := fmt.Sprintf("%q (%s", capBytes(a.Name, 120), a.DeclaredType)
			if a.SniffedType != "" {
				reason += ", content is " + a.SniffedType
			}
			if as.flag == AttachDangerInside && len(a.Entries) > 0 {
				reason += ", holds " + capBytes(a.Entries[0], 120)
			}
			s.add(as.id, as.sev, as.title, reason+")")
		}
	}
}

// hidden reports hidden and control characters, as Sanitize finds them.
func (s *signaller) hidden(in SignalInput) {
	for _, f := range []struct {
		where, text string
		line        bool
		sev         Severity
	}{
		{"Subject", in.Subject, true, Medium},
		{"From", in.FromHeader, true, Medium},
		{"text body", in.Text, false, Low},
		{"HTML body", in.HTMLText, false, Low},
	} {
		if f.text == "" {
			continue
		}
		var t Text
		if f.line {
			t = SanitizeLine(f.text)
		} else {
			t = Sanitize(f.text)
		}
		if kinds := hiddenKinds(t); kinds != "" {
			s.add("hidden_chars", f.sev, "Hidden characters in the "+f.where,
				fmt.Sprintf("%s holds %s", f.where, kinds))
		}
	}
}

// hiddenKinds lists the kinds of hidden characters marked in t, such as
// "bidi controls, zero-width characters"; "" if none.
func hiddenKinds(t Text) string {
	if t.Markers == 0 {
		return ""
	}
	names := map[MarkerKind]string{
		Control: "control characters", Escape: "terminal escape sequences", Bidi: "bidi controls",
		ZeroWidth: "zero-width characters", Format: "invisible format characters", LineBreak: "line breaks",
	}
	var kinds []string
	for _, seg := range t.Segs {
		if n, ok := names[seg.Kind]; ok && seg.Marker && !slices.Contains(kinds, n) {
			kinds = append(kinds, n)
		}
	}
	return strings.Join(kinds, ", ")
}
