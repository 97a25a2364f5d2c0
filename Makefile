# nvct: a thin front to meson + ninja. See README.md.
BUILDDIR ?= build
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR ?=

MESON_OPTS ?=
HOOK = $(BUILDDIR)/nvidia-container-runtime-hook

.PHONY: all deps demo test unit blackbox toml-test e2e fuzz install uninstall clean format format-check check-layers bench deb

all: $(BUILDDIR)/build.ninja
	ninja -C $(BUILDDIR)

deps:
	@scripts/install-deps

$(BUILDDIR)/build.ninja:
	@scripts/install-deps --check || scripts/install-deps
	meson setup $(BUILDDIR) --prefix=$(PREFIX) --sysconfdir=$(SYSCONFDIR) $(MESON_OPTS)

demo: all
	@scripts/demo $(HOOK)
	@echo
	@scripts/demo-cdi $(BUILDDIR)
	@echo
	@scripts/demo-runtime $(BUILDDIR)

# Every test; the last line is "N passed, N failed".
test: all
	@tests/run-all $(BUILDDIR)

unit: all
	meson test -C $(BUILDDIR) --print-errorlogs

blackbox: all
	@tests/blackbox/run $(HOOK)

toml-test: all
	@python3 ../shared/toml-test/run.py $(BUILDDIR)/toml-decode

e2e: all
	@tests/e2e/run $(HOOK)

# Release build in build-release/, timings against baselines; writes docs/PERFORMANCE.md.
bench: all
	@bench/run

# Each libFuzzer harness for FUZZ_SECONDS (default 60).
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/install-deps --check || scripts/install-deps
	@tests/fuzz/run $(FUZZ_SECONDS)

# PREFIX and SYSCONFDIR apply even to an existing build directory.
install: $(BUILDDIR)/build.ninja
	meson configure $(BUILDDIR) -Dprefix=$(PREFIX) -Dsysconfdir=$(SYSCONFDIR)
	ninja -C $(BUILDDIR)
	DESTDIR=$(DESTDIR) meson install -C $(BUILDDIR) --no-rebuild --strip

# The Debian package, built by dpkg-buildpackage from a copy of the tree in
# DEB_OUT (debian/); the .deb lands there. DEB_BUILD_OPTIONS as usual.
DEB_OUT ?= build-deb-out
deb:
	@scripts/install-deps --check || scripts/install-deps
	@scripts/make-deb $(DEB_OUT)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/nvidia-container-runtime-hook \
	      $(DESTDIR)$(PREFIX)/bin/nvidia-container-toolkit \
	      $(DESTDIR)$(PREFIX)/bin/nvidia-ctk \
	      $(DESTDIR)$(PREFIX)/bin/nvidia-cdi-hook \
	      $(DESTDIR)$(PREFIX)/bin/nvidia-container-runtime \
	      $(DESTDIR)$(PREFIX)/bin/nvidia-container-runtime.cdi \
	      $(DESTDIR)$(PREFIX)/bin/nvidia-container-runtime.legacy \
	      $(DESTDIR)$(PREFIX)/share/containers/oci/hooks.d/oci-nvidia-hook.json \
	      $(DESTDIR)$(PREFIX)/lib/systemd/system/nvidia-cdi-refresh.service \
	      $(DESTDIR)$(PREFIX)/lib/systemd/system/nvidia-cdi-refresh.path
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,nvidia-container-runtime-hook.1 \
	      nvidia-container-toolkit.1 nvidia-container-runtime.1 nvidia-container-runtime.cdi.1 \
	      nvidia-container-runtime.legacy.1 nvidia-ctk.1 nvidia-ctk-cdi.1 nvidia-ctk-runtime.1 \
	      nvidia-ctk-config.1 nvidia-ctk-hook.1 nvidia-ctk-system.1 nvidia-ctk-doctor.1 \
	      nvidia-cdi-hook.1) \
	      $(DESTDIR)$(PREFIX)/share/man/man5/nvidia-container-runtime-config.toml.5

clean:
	rm -rf $(BUILDDIR) build-asan build-asan.log build-valgrind build-valgrind.log build-fuzz build-release build-deb-out build-deb-test

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@command -v clang-format >/dev/null || { echo "clang-format not installed"; exit 1; }
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: ok"

# Includes only go downward between the folders of src/ (docs/architecture.md).
check-layers:
	@scripts/check-layers
