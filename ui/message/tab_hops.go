package message

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/analysis"
)

var hopFlagText = map[string]string{
	analysis.FlagBackwardsTime: "clock goes backwards",
	analysis.FlagNonPublicIP:   "non-public IP",
	analysis.FlagHeloMismatch:  "HELO name differs from reverse DNS",
	analysis.FlagMayBeForged:   "receiver says \"may be forged\"",
	analysis.FlagNoDate:        "no date",
	analysis.FlagUnparsedDate:  "unreadable date",
}

// hopsTab: the Received chain, oldest hop first, one row each; rows the
// analysis flagged are drawn in the warning colour with the reasons under
// them.
func (m *Model) hopsTab(pg *page) *layout {
	st := m.c.Styles
	hops := pg.doc.ev.Hops
	out := []string{m.heading(fmt.Sprintf("Received hops (%d)", len(hops)), "oldest first; times in UTC; delay: until the next hop took it")}
	if len(hops) == 0 {
		return &layout{lines: append(out, m.line(st.Muted.Render("no Received fields")))}
	}
	idW, withW, ipW, timeW, delayW := 4, 9, 17, 20, 8
	timeFormat := "2006-01-02 15:04:05"
	if m.inner() < 100 {
		// Narrow: the protocol column goes, the time loses its year.
		withW, timeW, timeFormat = 0, 15, "01-02 15:04:05"
	}
	rest := max(m.inner()-idW-withW-ipW-timeW-delayW, 20)
	fromW := rest / 2
	byW := rest - fromW
	with := "with"
	if withW == 0 {
		with = ""
	}
	out = append(out, m.line(st.Header.Render(fmt.Sprintf("%-*s%-*s%-*s%-*s%-*s%-*s%*s", idW, "#", fromW, "from", byW, "by", withW, with, ipW, "IP", timeW, "time", delayW, "delay"))))
	for _, h := range hops {
		style := st.Text
		if len(h.Flags) > 0 {
			style = st.Warning
		}
		from := h.From
		if from == "" {
			from = h.Helo
		}
		if h.RDNS != "" && h.RDNS != from {
			from += " (" + h.RDNS + ")"
		}
		when := "—"
		if !h.Time.IsZero() {
			when = h.Time.UTC().Format(timeFormat)
		}
		delay, delayStyle := "", st.Muted
		if h.DelaySeconds != nil {
			delay = (time.Duration(*h.DelaySeconds) * time.Second).String()
			if *h.DelaySeconds < 0 {
				delayStyle = st.Danger
			}
		}
		ip := h.IP
		if ip != "" && h.IPClass != "" && h.IPClass != "public" {
			ip += " " + h.IPClass
		}
		line := style.Render(fmt.Sprintf("%-*d", idW, h.Index)) +
			m.cell(orDash(from), fromW-1, style) + " " +
			m.cell(orDash(h.By), byW-1, style) + " "
		if withW > 0 {
			line += m.cell(orDash(h.With), withW-1, style) + " "
		}
		line += m.cell(orDash(ip), ipW-1, style) + " " +
			style.Render(fmt.Sprintf("%-*s", timeW, when)) +
			delayStyle.Render(fmt.Sprintf("%*s", delayW, delay))
		out = append(out, m.line(line))
		if len(h.Flags) > 0 {
			why := make([]string, len(h.Flags))
			for i, f := range h.Flags {
				why[i] = hopFlagText[f]
				if why[i] == "" {
					why[i] = f
				}
			}
			out = append(out, m.wrapped(safe("⚠ "+strings.Join(why, " · ")), st.Warning, idW)...)
		}
	}
	return &layout{lines: out}
}
