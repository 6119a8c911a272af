"""history/export"""
