package frameworks

import "sync"

// ISO27001ID is the stable identifier of ISO/IEC 27001:2022 Annex A.
const ISO27001ID = "iso27001-2022"

// iso27001Themes are the four themes of Annex A, keyed by clause number.
var iso27001Themes = []struct{ num, title string }{
	{"5", "Organizational controls"},
	{"6", "People controls"},
	{"7", "Physical controls"},
	{"8", "Technological controls"},
}

// iso27001Controls lists the 93 Annex A control numbers with a short topic
// and a one-line description. Both are Shieldwall's own words: the
// standard's text is copyrighted by ISO and is not shipped.
var iso27001Controls = []struct{ num, topic, desc string }{
	{"5.1", "Security policies", "Management approves, publishes and regularly reviews the organisation's security policies."},
	{"5.2", "Security roles", "Who is responsible for what in information security is defined and assigned."},
	{"5.3", "Segregation of duties", "Conflicting duties are split between people so that no one can misuse a process alone."},
	{"5.4", "Management duties", "Managers require staff and contractors to apply the security policies."},
	{"5.5", "Authorities", "Contacts with regulators, police and other authorities are known and kept up to date."},
	{"5.6", "Interest groups", "The organisation stays in touch with security forums and professional associations."},
	{"5.7", "Threat intelligence", "Information about threats is gathered and analysed to inform defences."},
	{"5.8", "Projects", "Security is considered in every project, from start to delivery."},
	{"5.9", "Asset inventory", "Information and the assets that hold or process it are listed, each with an owner."},
	{"5.10", "Acceptable use", "Rules for handling information and assets are written down and followed."},
	{"5.11", "Return of assets", "People leaving or changing role hand back the organisation's assets."},
	{"5.12", "Classification", "Information is classified by how sensitive and important it is."},
	{"5.13", "Labelling", "Information is marked according to its classification."},
	{"5.14", "Information transfer", "Rules and agreements protect information sent inside and outside the organisation."},
	{"5.15", "Access control", "Rules decide who may access information and systems, based on business need."},
	{"5.16", "Identities", "Identities of people and systems are managed over their whole life."},
	{"5.17", "Secrets for authentication", "Passwords and other authentication secrets are issued and handled safely."},
	{"5.18", "Access rights", "Access rights are granted, reviewed and removed according to the access rules."},
	{"5.19", "Supplier security", "Risks from using suppliers' products and services are managed."},
	{"5.20", "Supplier agreements", "Contracts with suppliers state the security each must provide."},
	{"5.21", "ICT supply chain", "Security risks in the chain of ICT products and services are managed."},
	{"5.22", "Supplier monitoring", "Suppliers' security and changes to their services are watched and reviewed."},
	{"5.23", "Cloud services", "Buying, using, managing and leaving cloud services follow security requirements."},
	{"5.24", "Incident planning", "Incident handling is planned: processes, roles and duties are set in advance."},
	{"5.25", "Event triage", "Security events are assessed to decide whether they are incidents."},
	{"5.26", "Incident response", "Incidents are responded to following the documented procedures."},
	{"5.27", "Lessons from incidents", "What incidents teach is used to strengthen controls."},
	{"5.28", "Evidence", "Evidence about security events is identified, collected and preserved properly."},
	{"5.29", "Security in disruption", "Security is kept at the right level during a disruption."},
	{"5.30", "ICT continuity", "ICT is ready to support business continuity, and this is planned and tested."},
	{"5.31", "Legal requirements", "Legal, regulatory and contractual security obligations are identified and met."},
	{"5.32", "Intellectual property", "Intellectual property rights are protected and respected."},
	{"5.33", "Records", "Records are protected from loss, destruction, tampering and unauthorised access."},
	{"5.34", "Privacy", "Personal data is protected as privacy laws and contracts require."},
	{"5.35", "Independent review", "The security approach is reviewed independently at planned times and after big changes."},
	{"5.36", "Compliance checks", "Compliance with the security policies and rules is checked regularly."},
	{"5.37", "Operating procedures", "Procedures for operating systems and facilities are documented and available."},

	{"6.1", "Screening", "Candidates' backgrounds are checked before they join and where appropriate later."},
	{"6.2", "Employment terms", "Employment contracts state the employee's and the organisation's security duties."},
	{"6.3", "Awareness and training", "Staff receive security awareness, education and training suited to their role."},
	{"6.4", "Disciplinary process", "A known disciplinary process deals with breaches of the security policy."},
	{"6.5", "After leaving", "Security duties that continue after someone leaves or changes role are set and enforced."},
	{"6.6", "Confidentiality agreements", "Confidentiality or non-disclosure agreements are in place and reviewed."},
	{"6.7", "Remote working", "Security measures protect information when people work away from the office."},
	{"6.8", "Event reporting", "Staff have a quick, known way to report security events they notice."},

	{"7.1", "Perimeters", "Physical boundaries protect areas that hold information and assets."},
	{"7.2", "Physical entry", "Entry to secure areas is controlled by access points and checks."},
	{"7.3", "Offices and rooms", "Offices, rooms and facilities are designed and run securely."},
	{"7.4", "Physical monitoring", "Premises are watched for unauthorised physical access."},
	{"7.5", "Environmental threats", "Facilities are protected from fire, flood, and other physical and environmental hazards."},
	{"7.6", "Secure areas", "Rules govern how people work inside secure areas."},
	{"7.7", "Clear desk and screen", "Desks are cleared of papers and media and screens are locked when unattended."},
	{"7.8", "Equipment placement", "Equipment is placed and protected to reduce physical risks."},
	{"7.9", "Assets off site", "Assets used outside the premises are protected."},
	{"7.10", "Storage media", "Storage media are managed from acquisition through use, transport and disposal."},
	{"7.11", "Utilities", "Power, cooling and other utilities are protected against failure."},
	{"7.12", "Cabling", "Power and network cables are protected against interception, interference and damage."},
	{"7.13", "Maintenance", "Equipment is maintained so it stays available and its information stays safe."},
	{"7.14", "Disposal and reuse", "Data and licensed software are removed before equipment is disposed of or reused."},

	{"8.1", "Endpoints", "Information on laptops, phones and other user devices is protected."},
	{"8.2", "Privileged access", "Privileged access is restricted and managed closely."},
	{"8.3", "Access restriction", "Access to information is limited according to the access rules."},
	{"8.4", "Source code", "Read and write access to source code and development tools is controlled."},
	{"8.5", "Authentication", "Secure authentication methods are used, matched to the access rules."},
	{"8.6", "Capacity", "Use of resources is monitored and adjusted to current and expected needs."},
	{"8.7", "Malware", "Defences against malware are in place, backed by user awareness."},
	{"8.8", "Vulnerabilities", "Technical vulnerabilities are tracked, assessed and fixed in time."},
	{"8.9", "Configuration", "Configurations, including security settings, are set, recorded and reviewed."},
	{"8.10", "Deletion", "Information is deleted when no longer needed."},
	{"8.11", "Data masking", "Data is masked where policy, law or business need requires it."},
	{"8.12", "Leakage prevention", "Measures stop sensitive information from leaking out of systems and networks."},
	{"8.13", "Backup", "Backups of information, software and systems are made and restores are tested."},
	{"8.14", "Redundancy", "Processing facilities have enough redundancy to stay available."},
	{"8.15", "Logging", "Logs of activity, exceptions and events are produced, protected and analysed."},
	{"8.16", "Monitoring", "Networks, systems and applications are watched for unusual behaviour, and it is acted on."},
	{"8.17", "Clock sync", "System clocks are synchronised to approved time sources."},
	{"8.18", "Privileged utilities", "Utilities able to bypass system controls are restricted and tightly controlled."},
	{"8.19", "Software installation", "Installing software on production systems follows controlled procedures."},
	{"8.20", "Network security", "Networks and their devices are secured, managed and controlled."},
	{"8.21", "Network services", "Security features and service levels of network services are defined and checked."},
	{"8.22", "Network segregation", "Groups of services, users and systems are separated on the network."},
	{"8.23", "Web filtering", "Access to external websites is filtered to reduce exposure to harmful content."},
	{"8.24", "Cryptography", "Rules for using cryptography, including key management, are defined and applied."},
	{"8.25", "Secure development", "Rules for developing software and systems securely are set and applied."},
	{"8.26", "Application requirements", "Security requirements are defined when developing or buying applications."},
	{"8.27", "Secure architecture", "Principles for engineering secure systems are set, documented and applied."},
	{"8.28", "Secure coding", "Code is written following secure coding practices."},
	{"8.29", "Security testing", "Security is tested during development and before acceptance."},
	{"8.30", "Outsourced development", "Development done by third parties is directed, monitored and reviewed."},
	{"8.31", "Separate environments", "Development, test and production environments are kept apart and secured."},
	{"8.32", "Change management", "Changes to systems and facilities follow a change management process."},
	{"8.33", "Test data", "Information used for testing is chosen carefully and protected."},
	{"8.34", "Audit testing", "Audits and tests on live systems are planned with management to limit disruption."},
}

var iso27001 = sync.OnceValue(func() *Framework {
	f := &Framework{
		ID:           ISO27001ID,
		Title:        "ISO/IEC 27001:2022 Annex A",
		Version:      "2022",
		Requirements: make([]Requirement, 0, len(iso27001Themes)+len(iso27001Controls)),
	}
	for _, th := range iso27001Themes {
		themeID := "A." + th.num
		f.Requirements = append(f.Requirements, Requirement{
			ID: themeID, Label: th.num, Title: th.title, Class: "theme",
		})
		for _, c := range iso27001Controls {
			if themeOf(c.num) != th.num {
				continue
			}
			f.Requirements = append(f.Requirements, Requirement{
				ID:        "A." + c.num,
				Label:     c.num,
				Title:     c.topic,
				Statement: c.desc,
				Class:     "control",
				Parent:    themeID,
				Depth:     1,
			})
		}
	}
	return f
})

// themeOf returns "5" for "5.12".
func themeOf(num string) string {
	for i := 0; i < len(num); i++ {
		if num[i] == '.' {
			return num[:i]
		}
	}
	return num
}

// ISO27001AnnexA returns the 93 controls of ISO/IEC 27001:2022 Annex A under
// their four themes: A.5 Organizational (37), A.6 People (8), A.7 Physical
// (14) and A.8 Technological (34). Titles and statements are short
// descriptions in Shieldwall's words, not the standard's text. Each call
// returns a copy.
func ISO27001AnnexA() *Framework {
	return iso27001().clone()
}
