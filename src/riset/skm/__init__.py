"""Survei Kepuasan Masyarakat: PermenPAN-RB 14/2017 and KepMenPAN 25/2004 schemes, IKM, codebook and
exports, instrument checks, drivers, IPA and the ranking behind recommendations."""

__all__ = []
