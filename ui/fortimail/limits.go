package fortimail

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// limit is the range the console accepts for a number field. FortiMail
// documents only some of its limits: these follow the GUI's and the
// documented meanings ("0 means no limit", scores out of 100, an idle
// timeout of at most 20 minutes). The appliance has the last word; what
// it refuses comes back as an error in the status bar.
type limit struct{ lo, hi int }

func (l limit) String() string { return fmt.Sprintf("%d–%d", l.lo, l.hi) }

var limits = map[string]limit{
	"conn_rate_how_many":                          {0, 100000},
	"number_of_messages":                          {0, 100000},
	"number_of_recipients":                        {0, 100000},
	"conn_concurrent":                             {0, 10000},
	"conn_idle_timeout":                           {1, 1200},
	"sender_reputation_throttle":                  {1, 100},
	"sender_reputation_throttle_number":           {0, 100000},
	"sender_reputation_throttle_percent":          {1, 100},
	"sender_reputation_tempfail":                  {1, 100},
	"sender_reputation_reject":                    {1, 100},
	"msisdn_sender_reputation_trigger":            {1, 100},
	"msisdn_sender_reputation_blacklist_duration": {0, 10080},
}

// limitOf returns the range of a number field; numbers the console knows
// nothing about must at least not be negative.
func limitOf(name string) limit {
	if l, ok := limits[name]; ok {
		return l
	}
	return limit{0, 1 << 31}
}

// checkName refuses profile names the appliance's URLs and lists cannot
// carry.
func checkName(s string) error {
	switch {
	case s == "":
		return errors.New("a name is required")
	case len(s) > 35:
		return errors.New("at most 35 characters")
	case strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '_' || r == '-' || r == '.' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	}):
		return errors.New("letters, digits, _ - and . only")
	}
	return nil
}

// checkEntry refuses list entries the appliance would split or misread:
// one address, *@domain pattern or IP/netmask, no spaces or commas.
func checkEntry(s string) error {
	switch {
	case s == "":
		return errors.New("an address, a pattern such as *@example.com, or an IP/netmask")
	case len(s) > 255:
		return errors.New("at most 255 characters")
	case strings.ContainsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) || !unicode.IsPrint(r) }):
		return fmt.Errorf("%q: one entry at a time, without spaces, commas or control characters", s)
	}
	return nil
}

// checkComment keeps comments to one printable line.
func checkComment(s string) error {
	if len(s) > 255 {
		return errors.New("at most 255 characters")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) {
		return errors.New("no control or invisible characters")
	}
	return nil
}
