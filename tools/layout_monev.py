"""The layout of step 3, Monitoring, Evaluasi dan Pelaporan
(processes/monitoring_evaluasi_pelaporan.bpmn), for tools/make_program.py."""

from __future__ import annotations

from bpmn_builder import Node, Process
from program_parts import DIMENSI, FD, FP, PD, PK, user


def monev() -> Process:
    p = Process(
        "monitoring_evaluasi_pelaporan",
        "Monitoring, Evaluasi dan Pelaporan",
        [FP, FD, PK, PD],
        doc="Langkah 3: rencana aksi berjalan enam bulan; monitoring bulan ke-3, evaluasi bulan ke-5, "
        "laporan ke Badiklit Kessos dengan tembusan ke Dinas Sosial Kabupaten/Kota dan Provinsi.",
    )
    p.messages = {
        "Pesan_laporan_dikirim": "laporan_dikirim",
        "Pesan_tanda_terima_badiklit": "tanda_terima_badiklit",
        "Pesan_tanda_terima_dinsos_kabupaten": "tanda_terima_dinsos_kabupaten",
        "Pesan_tanda_terima_dinsos_provinsi": "tanda_terima_dinsos_provinsi",
    }
    p.add(Node("monev_mulai", "startEvent", "Rencana Aksi Mulai Berjalan", 1, 0))
    p.add(Node("bagi_jalur", "parallelGateway", "", 1, 1))
    # The Pokja records progress every month for six months.
    p.add(
        Node(
            "mulai_bulan",
            "scriptTask",
            "Memulai Pencatatan Bulanan",
            2,
            2,
            script="bulan_ke = 1\nkemajuan_bulanan = []",
        )
    )
    p.add(
        Node(
            "tunggu_bulan",
            "intermediateCatchEvent",
            "Satu Bulan Berjalan",
            2,
            3,
            timer=("timeDuration", '"P1M"'),
        )
    )
    user(
        p,
        "catat_kemajuan",
        "Mencatat Kemajuan Rencana Aksi",
        2,
        4,
        "Pengurus Pokja mencatat kemajuan setiap butir rencana aksi bulan ini, dengan catatan dan bukti.",
        props={"displayName": "Kemajuan Rencana Aksi Bulan ke-{bulan_ke}"},
    )
    p.add(
        Node(
            "bulan_berikut",
            "scriptTask",
            "Bulan Berikutnya",
            2,
            5,
            script="kemajuan_bulanan = kemajuan_bulanan + [{'bulan': bulan_ke, 'butir': kemajuan}]\n"
            "bulan_ke = bulan_ke + 1",
        )
    )
    p.add(Node("cek_bulan", "exclusiveGateway", "Enam Bulan Selesai?", 2, 6))
    # Month 3: monitoring by FGD; it may ask the Pokja to revise the action plan.
    p.add(
        Node("tunggu_bulan_3", "intermediateCatchEvent", "Bulan ke-3", 1, 3, timer=("timeDuration", '"P3M"'))
    )
    user(
        p,
        "monitoring_bulan_3",
        "Monitoring Bulan ke-3 (FGD)",
        1,
        4,
        "Fasilitator pusat dan daerah memonitor pelaksanaan rencana aksi lewat FGD dengan Pokja.",
    )
    p.add(Node("cek_revisi", "exclusiveGateway", "Perlu Revisi Rencana Aksi?", 1, 5))
    user(
        p,
        "revisi_rencana_aksi",
        "Merevisi Rencana Aksi",
        2,
        6,
        row=1,
        doc="Pengurus Pokja merevisi rencana aksi sesuai temuan monitoring.",
    )
    p.add(Node("gabung_revisi", "exclusiveGateway", "", 1, 7))
    # Month 5: evaluation by FGD, the four dimensions measured again.
    p.add(
        Node(
            "tunggu_bulan_5",
            "intermediateCatchEvent",
            "Bulan ke-5",
            1,
            3,
            row=1,
            timer=("timeDuration", '"P5M"'),
        )
    )
    user(
        p,
        "evaluasi_bulan_5",
        "Evaluasi Bulan ke-5 (FGD dan Pengukuran Ulang)",
        1,
        4,
        row=1,
        doc="Fasilitator mengevaluasi lewat FGD dan mengukur ulang empat dimensi dengan parameter yang sama.",
    )
    p.add(
        Node(
            "hitung_skor_evaluasi",
            "scriptTask",
            "Menghitung Skor Evaluasi",
            1,
            5,
            row=1,
            script=f"dimensi_urut = {DIMENSI}\n"
            "skor_evaluasi = [round(sum(p['skor'] for p in kondisi_evaluasi[d].values()) / "
            "len(kondisi_evaluasi[d]), 2) for d in dimensi_urut]",
        )
    )
    p.add(
        Node(
            "tingkat_evaluasi",
            "businessRuleTask",
            "Menentukan Tingkat Evaluasi per Dimensi",
            1,
            6,
            row=1,
            decision="tingkat_ketahanan",
            multi={
                "collection": "skor_evaluasi",
                "item": "skor_dimensi",
                "output": "tingkat_evaluasi",
                "output_item": "tingkat",
                "sequential": "1",
            },
        )
    )
    p.add(
        Node(
            "bandingkan_kondisi",
            "scriptTask",
            "Membandingkan dengan Kondisi Awal",
            1,
            7,
            row=1,
            doc="Dimensi menguat bila skornya naik paling sedikit 0,5 dari kondisi awal.",
            script="selisih_skor = [round(skor_evaluasi[i] - skor_awal[i], 2) for i in range(4)]\n"
            "dimensi_menguat = [dimensi_urut[i] for i in range(4) if selisih_skor[i] >= 0.5]\n"
            "jumlah_menguat = len(dimensi_menguat)\n"
            "skor_terendah = min(skor_evaluasi)",
        )
    )
    p.add(
        Node(
            "status_ketahanan",
            "businessRuleTask",
            "Menentukan Status Ketahanan Sosial Desa",
            1,
            8,
            row=1,
            decision="status_ketahanan_sosial",
            doc="Tabel keputusan status_ketahanan_sosial: apakah desa berketahanan sosial.",
        )
    )
    p.add(Node("gabung_jalur", "parallelGateway", "", 1, 9))
    # Reporting after month 6.
    user(
        p,
        "tulis_laporan",
        "Menyusun Laporan Pelaksanaan",
        2,
        10,
        "Pengurus Pokja bersama dua pendamping menulis laporan pelaksanaan rencana aksi.",
    )
    p.add(
        Node(
            "laporan_terlambat",
            "boundaryEvent",
            "14 Hari Terlambat",
            2,
            10,
            attached_to="tulis_laporan",
            interrupting=False,
            timer=("timeDuration", '"P14D"'),
            slot=0,
        )
    )
    p.add(
        Node(
            "laporan_sangat_terlambat",
            "boundaryEvent",
            "30 Hari Terlambat",
            2,
            10,
            attached_to="tulis_laporan",
            interrupting=False,
            timer=("timeDuration", '"P30D"'),
            slot=1,
        )
    )
    user(
        p,
        "ingatkan_laporan",
        "Mengingatkan Pokja tentang Laporan",
        3,
        11,
        row=1,
        doc="Pendamping mengingatkan pengurus Pokja bahwa laporan belum dikirim.",
    )
    p.add(Node("pengingat_selesai", "endEvent", "Pengingat Disampaikan", 3, 12, row=1))
    user(
        p,
        "eskalasi_laporan",
        "Menindaklanjuti Laporan yang Terlambat",
        1,
        11,
        "Fasilitator daerah menindaklanjuti laporan yang terlambat 30 hari bersama Pokja dan pendamping.",
    )
    p.add(Node("eskalasi_selesai", "endEvent", "Eskalasi Ditindaklanjuti", 1, 12))
    user(
        p,
        "setujui_laporan",
        "Persetujuan Laporan oleh Pendamping",
        3,
        11,
        "Setiap pendamping memeriksa dan menyetujui laporan sebelum dikirim.",
        props={"displayName": "Persetujuan Laporan oleh Pendamping ({pendamping_ini[nama]})"},
        multi={
            "collection": "pendamping",
            "item": "pendamping_ini",
            "output": "persetujuan_pendamping",
            "output_item": "persetujuan",
        },
    )
    p.add(
        Node(
            "kirim_laporan",
            "intermediateThrowEvent",
            "Laporan Dikirim ke Badiklit Kessos",
            2,
            12,
            message="Pesan_laporan_dikirim",
            message_payload="laporan",
        )
    )
    p.add(Node("bagi_tembusan", "parallelGateway", "", 0, 13, row=1))
    for row, (node_id, name, message) in enumerate(
        [
            ("terima_badiklit", "Diterima Badiklit Kessos", "badiklit"),
            ("terima_dinsos_kabupaten", "Tembusan Diterima Dinas Sosial Kabupaten/Kota", "dinsos_kabupaten"),
            ("terima_dinsos_provinsi", "Tembusan Diterima Dinas Sosial Provinsi", "dinsos_provinsi"),
        ]
    ):
        p.add(
            Node(
                node_id,
                "intermediateCatchEvent",
                name,
                0,
                14,
                row=row,
                message=f"Pesan_tanda_terima_{message}",
                message_var=f"tanda_terima_{message}",
            )
        )
        p.flow("bagi_tembusan", node_id)
    p.add(Node("gabung_tembusan", "parallelGateway", "", 0, 15, row=1))
    p.add(Node("monev_selesai", "endEvent", "Laporan dan Tembusan Diterima", 0, 16, row=1))
    p.flow("monev_mulai", "bagi_jalur")
    for target in ("mulai_bulan", "tunggu_bulan_3", "tunggu_bulan_5"):
        p.flow("bagi_jalur", target)
    p.flow("mulai_bulan", "tunggu_bulan")
    p.flow("tunggu_bulan", "catat_kemajuan")
    p.flow("catat_kemajuan", "bulan_berikut")
    p.flow("bulan_berikut", "cek_bulan")
    p.flow("cek_bulan", "tunggu_bulan", "Belum", "bulan_ke <= 6")
    p.default("cek_bulan", "gabung_jalur", "Selesai")
    p.flow("tunggu_bulan_3", "monitoring_bulan_3")
    p.flow("monitoring_bulan_3", "cek_revisi")
    p.flow("cek_revisi", "revisi_rencana_aksi", "Ya", "perlu_revisi == True")
    p.default("cek_revisi", "gabung_revisi", "Tidak")
    p.flow("revisi_rencana_aksi", "gabung_revisi")
    p.flow("gabung_revisi", "gabung_jalur")
    p.flow("tunggu_bulan_5", "evaluasi_bulan_5")
    p.flow("evaluasi_bulan_5", "hitung_skor_evaluasi")
    p.flow("hitung_skor_evaluasi", "tingkat_evaluasi")
    p.flow("tingkat_evaluasi", "bandingkan_kondisi")
    p.flow("bandingkan_kondisi", "status_ketahanan")
    p.flow("status_ketahanan", "gabung_jalur")
    p.flow("gabung_jalur", "tulis_laporan")
    p.flow("laporan_terlambat", "ingatkan_laporan")
    p.flow("ingatkan_laporan", "pengingat_selesai")
    p.flow("laporan_sangat_terlambat", "eskalasi_laporan")
    p.flow("eskalasi_laporan", "eskalasi_selesai")
    p.flow("tulis_laporan", "setujui_laporan")
    p.flow("setujui_laporan", "kirim_laporan")
    p.flow("kirim_laporan", "bagi_tembusan")
    for node_id in ("terima_badiklit", "terima_dinsos_kabupaten", "terima_dinsos_provinsi"):
        p.flow(node_id, "gabung_tembusan")
    p.flow("gabung_tembusan", "monev_selesai")
    return p
