#!/usr/bin/env bash
# Fetches the Go toolchains Debian ships beyond the system one, so that
# linger can be built against and tested with binaries of every Go release
# from 1.19 on (scripts/gen-offsets.sh, tests/integration/test_offsets.sh).
#
# USAGE
#   scripts/go-toolchains.sh [MINOR...]     fetch what is missing, print the list
#   scripts/go-toolchains.sh --list [--long] print the list from the cache only
#   scripts/go-toolchains.sh --build go1.NN PKGDIR OUT [BUILDFLAG...]
#                                            build the Go package in PKGDIR with
#                                            that cached toolchain into OUT
#
# The list on stdout has one line per toolchain, oldest first:
#   go1.NN <GOROOT>
# (--long adds the exact Go version and where it came from). Everything else
# goes to stderr.
#
# How: golang-1.NN-go and golang-1.NN-src (the standard library, which the go
# command needs) are taken with `apt-get download` through a private apt
# configuration under the cache dir that lists the suites below on the Debian
# mirror this machine already uses (read from /etc/apt at run time; the
# system's apt configuration and state are left alone), then unpacked with
# `dpkg -x`. A Go already installed under /usr/lib/go-1.NN (the system's
# golang-go is /usr/lib/go-1.19 on Debian 12) is used in place. Each
# toolchain is listed only once it has built and run tests/targets/gotiny.
#
# Cache: $LINGER_GO_CACHE, default <repo>/.cache/go (git-ignored):
#   go1.NN/usr/lib/go-1.NN   GOROOT of a fetched toolchain
#   ok/go1.NN                the verified toolchain's list line
#   gocache/ gopath/ config/ the go command's caches, kept out of $HOME
# Safe to run again: what is verified is skipped; an interrupted fetch is
# redone. Needs apt-get and dpkg (Debian); root is not required.
#
# Environment: LINGER_GO_CACHE (cache dir); LINGER_DEBIAN_MIRROR (mirror URL,
# instead of the one in /etc/apt).
set -euo pipefail

# Minor versions fetched by default, and the suites searched for them. When
# a version is in several suites the newest package wins.
DEFAULT_MINORS=(19 21 22 23 24 25 26 27)
SUITES=(bookworm bookworm-backports trixie trixie-backports sid)

prog=go-toolchains
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${LINGER_GO_CACHE:-$repo/.cache/go}
case $cache in /*) ;; *) cache=$PWD/$cache ;; esac
gotiny=$repo/tests/targets/gotiny

log() { echo "$prog: $*" >&2; }
die() {
	log "$*"
	exit 1
}

usage() {
	sed -n '6,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# Prints the list lines (two or, with long=1, four fields) of the verified
# toolchains, oldest first. A line whose GOROOT has gone is left out.
list_cache() {
	local long=$1 f name root version source
	[ -d "$cache/ok" ] || return 0
	for f in "$cache"/ok/go1.*; do
		[ -f "$f" ] || continue
		read -r name root version source <"$f" || continue
		[ -x "$root/bin/go" ] || continue
		if [ "$long" = 1 ]; then
			echo "$name $root $version $source"
		else
			echo "$name $root"
		fi
	done | sort -t. -k2,2n
}

# Runs the go command of GOROOT $1 with the rest of the arguments, in the
# current directory, isolated from the caller's Go settings and $HOME.
go_with() {
	local root=$1
	shift
	env -u GOROOT_FINAL -u GOBIN -u GOEXPERIMENT \
		GOROOT="$root" PATH="$root/bin:$PATH" GOTOOLCHAIN=local GOFLAGS=-mod=mod \
		GOCACHE="$cache/gocache" GOPATH="$cache/gopath" XDG_CONFIG_HOME="$cache/config" \
		GOENV=off GOPROXY=off GOSUMDB=off GOWORK=off GOTELEMETRY=off \
		"$root/bin/go" "$@"
}

# --build NAME PKGDIR OUT [BUILDFLAG...]
build_with() {
	local name=$1 pkgdir=$2 out=$3 root
	shift 3
	root=$(list_cache 0 | awk -v n="$name" '$1 == n { print $2 }')
	[ -n "$root" ] || die "$name is not in the cache $cache: run scripts/go-toolchains.sh"
	case $out in /*) ;; *) out=$PWD/$out ;; esac
	mkdir -p "$(dirname "$out")"
	(cd "$pkgdir" && go_with "$root" build "$@" -o "$out" .)
}

# The Debian mirror of this machine, from /etc/apt (one-line .list files and
# deb822 .sources files): the first "deb" entry for the release's own suite.
# Prints "URI KEYRING" (KEYRING may be "-"), or nothing.
system_mirror() {
	local codename f files=()
	# shellcheck disable=SC1091
	codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	mirror_of "$codename" "${files[@]}"
}

# mirror_of CODENAME FILE...: the parser behind system_mirror.
mirror_of() {
	local codename=$1
	shift
	awk -v want="$codename" '
	function emit(uri, key) {
		if (key == "" || key !~ /^\//) key = "-"
		print uri, key
		done = 1
		exit
	}
	function suite_ok(s) { return want != "" ? s == want : s !~ /-(security|updates)$/ }
	function flush(   n, i, s, u) {
		if (types ~ /(^| )deb( |$)/ && enabled != "no" && uris != "") {
			n = split(suites, s, " ")
			split(uris, u, " ")
			for (i = 1; i <= n; i++)
				if (suite_ok(s[i])) emit(u[1], signed)
		}
		types = uris = suites = signed = enabled = ""
	}
	FNR == 1 { flush(); deb822 = FILENAME ~ /\.sources$/ }
	/^[ \t]*#/ { next }
	deb822 && /^[ \t]*$/ { flush(); next }
	deb822 && /^[A-Za-z-]+:/ {
		key = tolower($1); sub(/:$/, "", key)
		val = $0; sub(/^[^:]*:[ \t]*/, "", val)
		if (key == "types") types = val
		else if (key == "uris") uris = val
		else if (key == "suites") suites = val
		else if (key == "signed-by") signed = val
		else if (key == "enabled") enabled = tolower(val)
		next
	}
	!deb822 && $1 == "deb" {
		i = 2; key = ""
		if ($2 ~ /^\[/) {
			for (; i <= NF; i++) {
				if ($i ~ /^\[?signed-by=/) { key = $i; sub(/^\[?signed-by=/, "", key); sub(/\]$/, "", key) }
				if ($i ~ /\]$/) { i++; break }
			}
		}
		if (suite_ok($(i + 1))) emit($i, key)
	}
	END { if (!done) flush() }
	' "$@"
}

apt_dir=
cleanup() {
	[ -n "$apt_dir" ] && rm -rf "$apt_dir"
	[ -n "${tmp_root:-}" ] && rm -rf "$tmp_root"
	return 0
}

# Writes the private apt configuration and downloads the package lists.
apt_setup() {
	local mirror uri key opt=
	if [ -n "${LINGER_DEBIAN_MIRROR:-}" ]; then
		mirror="$LINGER_DEBIAN_MIRROR -"
	else
		mirror=$(system_mirror)
	fi
	[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt; set LINGER_DEBIAN_MIRROR"
	read -r uri key <<<"$mirror"
	[ "$key" = - ] && [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] &&
		key=/usr/share/keyrings/debian-archive-keyring.gpg
	[ "$key" != - ] && opt=" [signed-by=$key]"

	apt_dir=$cache/.apt
	rm -rf "$apt_dir"
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
	for s in "${SUITES[@]}"; do
		echo "deb$opt $uri $s main"
	done >"$apt_dir/sources.list"
	# Read twice: first through APT_CONFIG, then again as the main file after
	# apt.conf.d, so that its #clear drops the system's update hooks.
	cat >"$apt_dir/apt.conf" <<-EOF
		Dir::Etc::SourceList "$apt_dir/sources.list";
		Dir::Etc::SourceParts "/dev/null";
		Dir::Etc::main "$apt_dir/apt.conf";
		Dir::State::Lists "$apt_dir/lists";
		Dir::Cache "$apt_dir/cache";
		Acquire::Languages "none";
		APT::Sandbox::User "root";
		#clear APT::Update::Post-Invoke-Success;
		#clear APT::Update::Post-Invoke;
	EOF
	export APT_CONFIG=$apt_dir/apt.conf
	log "updating package lists: ${SUITES[*]} from $uri"
	apt-get -q update >"$apt_dir/update.log" 2>&1 ||
		{
			cat "$apt_dir/update.log" >&2
			die "apt-get update failed"
		}
}

# Prints "VERSION SUITE" of the newest golang-1.NN-go that has a -src of the
# same version, or nothing.
pick_package() {
	local minor=$1
	{ apt-cache madison "golang-1.$minor-go" "golang-1.$minor-src" 2>/dev/null || true; } |
		awk -F' *[|] *' '{ sub(/^ */, "", $1); split($3, w, " "); print $1, $2, w[2] }' |
		awk '$1 ~ /-go$/ { suite[$2] = $3 } $1 ~ /-src$/ { src[$2] = 1 }
		     END { for (v in suite) if (v in src) print v, suite[v] }' |
		while read -r v s; do echo "$v ${s%%/*}"; done |
		{
			local best='' best_suite='' v s
			while read -r v s; do
				if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
					best=$v best_suite=$s
				fi
			done
			if [ -n "$best" ]; then echo "$best $best_suite"; fi
		}
}

# Builds and runs gotiny with GOROOT $1, then records the toolchain as
# verified in ok/go1.$2 with SOURCE $3.
verify() {
	local root=$1 minor=$2 source=$3 version bin out
	version=$(go_with "$root" env GOVERSION 2>/dev/null) ||
		die "go1.$minor: $root/bin/go does not run"
	case $version in
	go1."$minor" | go1."$minor".* | go1."$minor"rc* | go1."$minor"beta*) ;;
	*) die "go1.$minor: $root/bin/go is $version" ;;
	esac
	bin=$cache/verify/gotiny-go1.$minor
	mkdir -p "$cache/verify" "$cache/ok"
	(cd "$gotiny" && go_with "$root" build -o "$bin" .) ||
		die "go1.$minor: building tests/targets/gotiny with $root failed"
	out=$(timeout 20 "$bin" -duration=10ms) || die "go1.$minor: gotiny built with $root does not run"
	case $out in ready*) ;; *) die "go1.$minor: gotiny printed '$out'" ;; esac
	echo "go1.$minor $root $version $source" >"$cache/ok/.go1.$minor.tmp"
	mv -f "$cache/ok/.go1.$minor.tmp" "$cache/ok/go1.$minor"
	log "go1.$minor: $version at $root builds gotiny"
}

# Fetches golang-1.NN-go/-src VERSION and unpacks them into go1.NN/.
fetch() {
	local minor=$1 version=$2 suite=$3 dir deb
	dir=$cache/go1.$minor
	log "go1.$minor: downloading golang-1.$minor-go/-src $version ($suite)"
	rm -f "$apt_dir"/debs/*.deb
	(cd "$apt_dir/debs" &&
		apt-get -q download "golang-1.$minor-go=$version" "golang-1.$minor-src=$version" \
			>"$apt_dir/download.log" 2>&1) ||
		{
			cat "$apt_dir/download.log" >&2
			die "go1.$minor: apt-get download failed"
		}
	rm -rf "$dir" "$cache/ok/go1.$minor"
	tmp_root=$cache/.tmp-go1.$minor
	rm -rf "$tmp_root"
	mkdir -p "$tmp_root"
	for deb in "$apt_dir"/debs/*.deb; do
		dpkg -x "$deb" "$tmp_root"
	done
	rm -f "$apt_dir"/debs/*.deb
	[ -x "$tmp_root/usr/lib/go-1.$minor/bin/go" ] || die "go1.$minor: no bin/go in the packages"
	[ -d "$tmp_root/usr/lib/go-1.$minor/src/runtime" ] || die "go1.$minor: no src/runtime in the packages"
	mv "$tmp_root" "$dir"
	tmp_root=
	verify "$dir/usr/lib/go-1.$minor" "$minor" "debian:golang-1.$minor-go=$version:$suite"
}

main() {
	local list=0 long=0 minors=() m
	while [ $# -gt 0 ]; do
		case $1 in
		--list) list=1 ;;
		--long) long=1 ;;
		--build)
			[ $# -ge 4 ] || usage
			shift
			build_with "$@"
			return
			;;
		-h | --help) usage ;;
		[0-9]*) minors+=("$1") ;;
		*) usage ;;
		esac
		shift
	done
	[ ${#minors[@]} -gt 0 ] || minors=("${DEFAULT_MINORS[@]}")
	if [ "$list" = 1 ]; then
		list_cache "$long"
		return
	fi

	mkdir -p "$cache"
	exec 9>"$cache/.lock"
	flock 9
	trap cleanup EXIT

	local need=() system=/usr/lib/go-1
	for m in "${minors[@]}"; do
		[[ $m =~ ^[0-9]+$ ]] || die "bad minor version '$m'"
		if [ -x "$system.$m/bin/go" ]; then
			# Cheap with a warm build cache: re-verified on every run so an
			# upgraded or removed system Go is noticed.
			verify "$system.$m" "$m" "system:$system.$m"
		elif [ -f "$cache/ok/go1.$m" ] && [ -x "$cache/go1.$m/usr/lib/go-1.$m/bin/go" ]; then
			log "go1.$m: cached"
		else
			need+=("$m")
		fi
	done

	local missing=() pick
	if [ ${#need[@]} -gt 0 ]; then
		if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
			die "apt-get and dpkg are needed to fetch go1.${need[*]}"
		fi
		apt_setup
		for m in "${need[@]}"; do
			pick=$(pick_package "$m")
			if [ -z "$pick" ]; then
				log "go1.$m: golang-1.$m-go/-src are in none of: ${SUITES[*]}; skipped"
				missing+=("go1.$m")
				continue
			fi
			# shellcheck disable=SC2086
			fetch "$m" $pick
		done
	fi
	list_cache "$long"
	[ ${#missing[@]} -eq 0 ] || log "not available: ${missing[*]}"
}

main "$@"
