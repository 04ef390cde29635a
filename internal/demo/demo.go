// Package demo loads a realistic demo organisation, so that a newcomer can
// click through the whole product. Each capability adds its own demo data here.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/auth"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/response"
)

// Domain is the demo organisation's email domain (.example is reserved, RFC 2606).
const Domain = "northwind.example"

// department is one demo department: its size and the titles its people hold.
type department struct {
	name, description string
	size              int
	titles            []string
	role              shieldwall.Role // the role of its ordinary members
}

var departments = []department{
	{"Security", "Protects the organisation: triage, incidents, awareness.", 8,
		[]string{"Security Analyst", "Security Engineer", "Incident Responder", "GRC Specialist"}, shieldwall.RoleSecurity},
	{"IT", "Runs the workplace: laptops, accounts, networks and cloud.", 22,
		[]string{"Systems Administrator", "Service Desk Analyst", "Network Engineer", "Cloud Engineer", "IT Manager"}, shieldwall.RoleMember},
	{"Finance", "Pays suppliers, bills customers and keeps the books.", 25,
		[]string{"Accountant", "Accounts Payable Clerk", "Financial Controller", "Payroll Specialist", "Treasury Analyst"}, shieldwall.RoleMember},
	{"HR", "Hires, pays and looks after our people.", 14,
		[]string{"HR Officer", "Recruiter", "HR Business Partner", "Learning Coordinator"}, shieldwall.RoleMember},
	{"Legal", "Contracts, privacy and regulators.", 9,
		[]string{"Legal Counsel", "Privacy Officer", "Paralegal", "Compliance Manager"}, shieldwall.RoleMember},
	{"Sales", "Wins and keeps customers.", 45,
		[]string{"Account Executive", "Sales Manager", "Customer Success Manager", "Sales Development Representative"}, shieldwall.RoleMember},
	{"Marketing", "Brand, website, campaigns and press.", 22,
		[]string{"Marketing Manager", "Content Writer", "Communications Lead", "Designer"}, shieldwall.RoleMember},
	{"Operations", "Delivers what we sell: logistics, facilities, suppliers.", 45,
		[]string{"Operations Manager", "Logistics Coordinator", "Facilities Manager", "Procurement Specialist"}, shieldwall.RoleMember},
	{"Executive", "The leadership team.", 8,
		[]string{"Chief Executive Officer", "Chief Financial Officer", "Chief Operating Officer", "Executive Assistant"}, shieldwall.RoleMember},
}

var firstNames = []string{
	"Amara", "Ben", "Chloé", "Daniel", "Elif", "Farid", "Grace", "Hiroshi", "Ines", "Jonas", "Katarzyna", "Liam",
	"Maya", "Noah", "Olga", "Pedro", "Quentin", "Rosa", "Samir", "Tessa", "Umar", "Valeria", "Wei", "Ximena",
	"Yusuf", "Zoe", "Aisha", "Bruno", "Carmen", "Dmitri", "Emma", "Felix", "Giulia", "Hannah", "Ivan", "Julia",
	"Kwame", "Lena", "Mateo", "Nadia", "Oscar", "Priya", "Rafael", "Sofia", "Thomas", "Ursula", "Viktor", "Yara",
}

var lastNames = []string{
	"Andersen", "Bakker", "Costa", "Dubois", "Eriksson", "Fischer", "García", "Hansen", "Ivanova", "Jansen",
	"Kowalski", "Lindqvist", "Martin", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Usman",
	"Varga", "Weber", "Yilmaz", "Zhang", "Moreau", "Nielsen", "O'Brien", "Popescu", "Quinn", "Romero",
	"Silva", "Torres", "Van Dijk", "Walsh", "Horvat", "Kaya", "Lopez", "Murphy", "Singh", "Berg",
}

// Account is a demo sign-in account and its one-time printed password.
type Account struct {
	Email, Password, Name, Role, Department string
}

// Organisation is the generated demo organisation.
type Organisation struct {
	Departments []shieldwall.DepartmentInput
	People      []accounts.ImportPerson
	Accounts    []Account
}

// Generate builds the demo organisation. The people are the same every
// time (a fixed seed); the passwords are random.
func Generate() Organisation {
	rng := rand.New(rand.NewPCG(2026, 11))
	var org Organisation
	used := map[string]bool{}
	for _, d := range departments {
		org.Departments = append(org.Departments, shieldwall.DepartmentInput{Name: d.name, Description: d.description})
		for i := 0; i < d.size; i++ {
			var first, last, email string
			for {
				first, last = firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
				email = emailFor(first, last)
				if !used[email] {
					used[email] = true
					break
				}
			}
			role, title := d.role, d.titles[rng.IntN(len(d.titles))]
			// The second person of each department outside Security is its security champion.
			if i == 1 && d.role == shieldwall.RoleMember {
				role = shieldwall.RoleChampion
			}
			org.People = append(org.People, accounts.ImportPerson{UserInput: shieldwall.UserInput{
				Email: email, Name: first + " " + last, Title: title, Role: role, Department: d.name,
			}})
		}
	}
	// The accounts a newcomer signs in with: one per kind of user worth trying.
	signIn := []struct {
		dept  string
		index int
		role  shieldwall.Role
		title string
	}{
		{"IT", 0, shieldwall.RoleAdmin, "IT Manager"},
		{"Security", 0, shieldwall.RoleSecurity, "Security Lead"},
		{"Finance", 1, shieldwall.RoleChampion, "Accountant"},
		{"Finance", 2, shieldwall.RoleMember, "Accounts Payable Clerk"},
		{"HR", 2, shieldwall.RoleMember, "HR Officer"},
		{"Legal", 2, shieldwall.RoleMember, "Legal Counsel"},
		{"Legal", 3, shieldwall.RoleAuditor, "Internal Auditor"},
	}
	for _, s := range signIn {
		p := &org.People[indexOf(s.dept, s.index)]
		p.Role, p.Title = s.role, s.title
		p.Password = password()
		org.Accounts = append(org.Accounts, Account{Email: p.Email, Password: p.Password, Name: p.Name, Role: string(p.Role), Department: s.dept})
	}
	return org
}

func indexOf(dept string, i int) int {
	n := 0
	for _, d := range departments {
		if d.name == dept {
			return n + i
		}
		n += d.size
	}
	panic("demo: no department " + dept)
}

// emailFor makes first.last@domain in plain ASCII.
func emailFor(first, last string) string {
	clean := func(s string) string {
		r := strings.NewReplacer("é", "e", "í", "i", "á", "a", "ó", "o", "ñ", "n", "'", "", " ", "")
		return strings.ToLower(r.Replace(s))
	}
	return clean(first) + "." + clean(last) + "@" + Domain
}

// password returns a random password that is easy to type from a terminal.
func password() string {
	s := auth.NewSecret("")
	return strings.NewReplacer("-", "x", "_", "y").Replace(s[:20])
}

// Load puts the demo organisation into an empty database and returns the
// message to print: the sign-in accounts and their passwords, shown once.
func Load(ctx context.Context, acc *accounts.Service, in *intake.Service, resp *response.Service) (string, error) {
	org := Generate()
	if err := acc.Import(ctx, shieldwall.SystemActor("demo"), org.Departments, org.People); err != nil {
		return "", err
	}
	if err := loadReports(ctx, acc, in, org); err != nil {
		return "", err
	}
	if err := loadCases(ctx, acc, in, resp, org); err != nil {
		return "", err
	}
	if err := loadGovern(ctx, acc, org); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nLoaded the demo organisation: %d departments, %d people, and their reports (a phishing wave of 13 forwards\n"+
		"grouped into one campaign, a phishing test, payment fraud, a lost laptop, shadow IT, a data exposure, an anonymous near miss),\n"+
		"each department's duty directory, and two cases: a personal-data breach with its GDPR clock running and the phishing wave under review.\n",
		len(org.Departments), len(org.People))
	fmt.Fprintf(&b, "Sign in with any of these accounts (the passwords are shown only now):\n\n")
	for _, a := range org.Accounts {
		fmt.Fprintf(&b, "    %-9s %-44s %s   (%s, %s)\n", a.Role, a.Email, a.Password, a.Name, a.Department)
	}
	b.WriteString("\n")
	return b.String(), nil
}
