# SPDX-License-Identifier: MIT
# The PVH guest kernel, included by xen/Makefile.
KCFLAGS := $(WARN) -O2 -g -std=gnu11 -ffreestanding -fno-pie -fno-pic \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-red-zone \
	-mgeneral-regs-only -mcmodel=small -fno-common -nostdinc \
	-fno-tree-loop-distribute-patterns \
	-isystem $(shell $(CC) -print-file-name=include) -I$(OUT)/inc
K_SRC := $(addprefix $(TOP)/xen/os/,main.c hyp.c mm.c lib.c xenstore.c blk.c) \
	$(BF_SRC)
K_OBJ := $(patsubst $(TOP)/%.c,$(OUT)/obj/%.o,$(K_SRC)) $(OUT)/obj/xen/os/entry.o
K_HDR := $(wildcard $(TOP)/xen/os/*.h) $(BF_HDR)

kernel: $(OUT)/vdevkit-xen.elf

# Only the Xen public headers come from the system; no libc headers.
$(OUT)/inc/xen:
	@mkdir -p $(OUT)/inc
	ln -sfn /usr/include/xen $@

$(OUT)/obj/%.o: $(TOP)/%.c $(K_HDR) | $(OUT)/inc/xen
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c -o $@ $<

$(OUT)/obj/xen/os/entry.o: $(TOP)/xen/os/entry.S
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c -o $@ $<

$(OUT)/vdevkit-xen.elf: $(K_OBJ) $(TOP)/xen/os/link.ld
	$(CC) -nostdlib -static -no-pie -Wl,--build-id=none \
		-Wl,-T,$(TOP)/xen/os/link.ld -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -o $@ $(K_OBJ) -lgcc
