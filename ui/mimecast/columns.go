package mimecast

// initColumns sets each list's columns. At 80 columns the essentials
// stay; wider terminals get the rest.
func (m *Model) initColumns() {
	set := func(id paneID, cols ...column) { m.panes[id].tbl.cols = cols }
	set(panePolicies,
		column{title: "Action", width: 6},
		column{title: "Description", flex: true},
		column{title: "Sender", width: 34},
		column{title: "Receiver", width: 20, hideBelow: 100},
		column{title: "Source IPs", width: 18, hideBelow: 130},
		column{title: "In force", width: 23, hideBelow: 150})
	set(paneSenders,
		column{title: "Type", width: 6},
		column{title: "Sender", flex: true},
		column{title: "Recipient", width: 32})
	set(paneURLs,
		column{title: "Action", width: 6},
		column{title: "Match", width: 8},
		column{title: "URL", flex: true},
		column{title: "Comment", width: 28, hideBelow: 100})
	set(paneGroups,
		column{title: "Group", flex: true},
		column{title: "Source", width: 6},
		column{title: "Users", width: 6},
		column{title: "Groups", width: 6},
		column{title: "Id", width: 48, hideBelow: 130})
	set(paneMembers,
		column{title: "Member", flex: true},
		column{title: "Name", width: 24},
		column{title: "Kind", width: 7},
		column{title: "Where", width: 8},
		column{title: "Notes", width: 24, hideBelow: 120})
	set(paneTracking,
		column{title: "Received (UTC)", width: 16},
		column{title: "From", width: 28},
		column{title: "To", width: 26, hideBelow: 110},
		column{title: "Subject", flex: true},
		column{title: "Status", width: 9},
		column{title: "Sender IP", width: 15, hideBelow: 140})
	set(paneArchive,
		column{title: "Received (UTC)", width: 16},
		column{title: "From", width: 28},
		column{title: "Subject", flex: true},
		column{title: "Bytes", width: 7, hideBelow: 100},
		column{title: "Att", width: 3, hideBelow: 100})
	set(paneMessages,
		column{title: "Received (UTC)", width: 16},
		column{title: "From", width: 30},
		column{title: "Subject", flex: true},
		column{title: "Status", width: 10, hideBelow: 100},
		column{title: "Att", width: 3, hideBelow: 100})
	set(paneClicks,
		column{title: "When (UTC)", width: 16},
		column{title: "User", width: 22},
		column{title: "Result", width: 9},
		column{title: "Action", width: 6, hideBelow: 100},
		column{title: "URL", flex: true},
		column{title: "Category", width: 18, hideBelow: 130})
	set(paneSearchLogs,
		column{title: "When (UTC)", width: 16},
		column{title: "User", width: 24},
		column{title: "Source", width: 8, hideBelow: 100},
		column{title: "Searched for", flex: true},
		column{title: "Reason", width: 26, hideBelow: 120})
	set(paneHeld,
		column{title: "Received (UTC)", width: 16},
		column{title: "From", width: 26},
		column{title: "To", width: 22, hideBelow: 130},
		column{title: "Subject", flex: true},
		column{title: "Reason", width: 24, hideBelow: 100})
}

// rowsOf turns pane id's items into table rows.
func (m *Model) rowsOf(id paneID) [][]string {
	switch id {
	case panePolicies:
		return policyRows(m.policies)
	case paneSenders:
		return senderRows(m.senders)
	case paneURLs:
		return urlRows(m.urls)
	case paneGroups:
		return groupRows(m.groups)
	case paneMembers:
		return memberRows(m.members)
	case paneTracking:
		return trackedRows(m.tracked)
	case paneArchive:
		return archiveRows(m.archive)
	case paneMessages:
		return messageRows(m.messages)
	case paneClicks:
		return clickRows(m.clicks)
	case paneSearchLogs:
		return searchLogRows(m.searches)
	case paneHeld:
		return heldRows(m.held)
	}
	return nil
}
