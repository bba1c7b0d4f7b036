# Top-level build of the open ESX-style hypervisor host.
#
#   make                    all modules (KDIR=, default: the running kernel) and userspace
#   make modules KDIR=/usr/src/linux-headers-6.1.0-56-amd64
#   make setup              install build and test dependencies (Debian 12, apt)
#   make check              every test: userspace natively, kernel code in test hosts
#   make run                the main job: a test host with our modules and a shell
#   make install            modules, userspace, PAM/systemd files (DESTDIR=, PREFIX=)

KVER    ?= $(shell uname -r)
KDIR    ?= /lib/modules/$(KVER)/build
PREFIX  ?= /usr/local
VMW_BUILD := $(shell git -C $(CURDIR) describe --always --dirty 2>/dev/null || echo unknown)

# Warnings are errors in CI (tests/check.sh sets VMW_WERROR=1).
KBUILD_ARGS := VMW_ROOT=$(CURDIR) VMW_BUILD=$(VMW_BUILD) VMW_WERROR=$(VMW_WERROR)

USER_DIRS := $(wildcard daemons/vmauthd vmx tools/vmdiskctl tools/vmnetctl)

.PHONY: all modules user clean check run setup install modules_install

all: modules user

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) modules

user:
	$(MAKE) -C tests/guest
	@for d in $(USER_DIRS); do $(MAKE) -C $$d || exit 1; done

setup:
	tools/setup.sh

check:
	tests/check.sh

run:
	tests/run-main.sh

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) INSTALL_MOD_DIR=extra modules_install

install: modules_install
	@for d in $(USER_DIRS); do $(MAKE) -C $$d install || exit 1; done

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C tests/guest clean
	@for d in $(USER_DIRS); do $(MAKE) -C $$d clean; done
	rm -rf build
