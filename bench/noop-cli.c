/* SPDX-License-Identifier: Apache-2.0 */
/* The benchmark's stand-in for nvidia-container-cli: does nothing. */
int main(void) {
        return 0;
}
